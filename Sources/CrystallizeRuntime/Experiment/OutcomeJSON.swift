/// Direct JSON encoding of outcomes: every finished (replicate, condition) is encoded once,
/// for its checkpoint line, and the same bytes become its provenance record, so nothing on
/// the per-replicate path builds an intermediate `Value` tree.
extension ConditionOutcome {
    /// The checkpoint/provenance JSON of this outcome (f64 arrays tagged so they read back).
    func encodedJSON() -> [UInt8] {
        var w = JSONWriter(indent: 0, tagged: true)
        w.raw("{\"replicate\": "); w.raw(String(replicate))
        w.raw(", \"condition\": "); w.string(condition)
        w.raw(", \"seed_used\": "); w.raw(String(seedUsed))
        w.raw(", \"metrics\": {")
        for (i, (k, vs)) in metrics.enumerated() {
            if i > 0 { w.raw(", ") }
            w.string(k); w.raw(": "); w.write(.list(vs), level: 0)
        }
        w.raw("}, \"metric_tags\": {")
        for (i, (k, ts)) in metricTags.enumerated() {
            if i > 0 { w.raw(", ") }
            w.string(k); w.raw(": [")
            for (j, t) in ts.enumerated() { if j > 0 { w.raw(", ") }; w.string(t) }
            w.raw("]")
        }
        w.raw("}, \"steps\": [")
        for (i, s) in steps.enumerated() {
            if i > 0 { w.raw(", ") }
            s.write(into: &w)
        }
        w.raw("]")
        if let f = failure {
            w.raw(", \"error\": {\"step\": "); w.string(f.step); w.raw(", \"message\": "); w.string(f.message); w.raw("}")
        }
        w.raw("}")
        return w.out
    }
}

extension StepRecord {
    /// Writes the record in crystallize-ml's shape (see `json`) without building a `Value`.
    func write(into w: inout JSONWriter) {
        w.raw("{\"step\": "); w.string(step)
        w.raw(", \"params\": "); w.write(.map(params), level: 0)
        w.raw(", \"step_hash\": "); w.string(stepHash)
        w.raw(", \"input_hash\": "); w.string(inputHash)
        w.raw(", \"output_hash\": "); w.string(outputHash)
        w.raw(cacheHit ? ", \"cache_hit\": true" : ", \"cache_hit\": false")
        w.raw(", \"ctx_changes\": {\"reads\": "); w.write(.map(reads), level: 0)
        w.raw(", \"wrote\": {")
        for (i, (k, v)) in writes.enumerated() {
            if i > 0 { w.raw(", ") }
            w.string(k); w.raw(": {\"before\": null, \"after\": "); w.write(v, level: 0); w.raw("}")
        }
        w.raw("}, \"metrics\": {")
        for (i, (k, ba)) in metrics.enumerated() {
            if i > 0 { w.raw(", ") }
            w.string(k); w.raw(": {\"before\": "); w.write(.list(ba.before), level: 0)
            w.raw(", \"after\": "); w.write(.list(ba.after), level: 0); w.raw("}")
        }
        w.raw("}}}")
    }
}
