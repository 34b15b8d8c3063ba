import Foundation
import OrderedCollections

/// The whole provenance of a stored run: provenance.json joined with the step records of its
/// checkpoint journal, as one document whose `runs` hold, per (replicate, condition), every
/// step in crystallize-ml's record shape — resolved `params`, `step_hash`, `cache_hit`, data
/// hashes when recorded, and `ctx_changes` with reads, wrote and metrics before/after.
public enum ProvenanceDocument {
    /// Loads and joins the provenance of the run in `versionDirectory`.
    public static func load(versionDirectory: String) throws -> Value {
        let path = "\(versionDirectory)/\(RunStore.provenanceFileName)"
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError("\(path) does not exist") }
        guard case .map(var doc) = try JSONText.parseFile(path) else { throw StoreError("\(path) is not a JSON object") }
        // The first release wrote every step record inline: that document is already whole.
        if doc["records"] == nil, case .list? = doc["runs"] { return .map(doc) }
        guard case .map(let records)? = doc["records"], case .string(let journalName)? = records["journal"],
              case .string(let format)? = records["format"] else {
            throw StoreError("\(path) names no step records under \"records\" (journal and format)")
        }
        let readable = ["crystallize-journal/1", ProvenanceWriter.recordsFormat]
        guard readable.contains(format) else {
            if format.hasPrefix("crystallize-journal/"), let n = Int(format.dropFirst("crystallize-journal/".count)), n > CheckpointJournal.format {
                throw JournalFormats.NewerFormat(path: path, format: "step records \(format)")
            }
            throw StoreError("\(path): step records in an unknown format '\(format)'; this host reads \(readable.joined(separator: ", "))")
        }
        let journalPath = "\(versionDirectory)/\(journalName)"
        guard FileManager.default.fileExists(atPath: journalPath) else { throw StoreError("\(journalPath), the step records \(path) names, does not exist") }
        let (outcomes, damaged) = try JournalFormats.readVersion(versionDirectory)
        let joined = try runs(outcomes, header: doc)
        // crystallize-ml's provenance lists each condition's replicate seeds; rebuilt from the records.
        var seeds = OrderedDictionary<String, Value>()
        if case .list(let cs)? = doc["conditions"] {
            for case .string(let c) in cs {
                seeds[c] = .list(joined.compactMap { run in
                    guard case .map(let m) = run, m["condition"] == .string(c) else { return nil }
                    return m["seed_used"]
                })
            }
        }
        doc["seeds"] = .map(seeds)
        doc["runs"] = .list(joined)
        // A torn block is what a crash leaves; a resumed run re-ran what it held. Say so, do not fail.
        if damaged > 0 { doc["records_damaged"] = .int(Int64(damaged)) }
        return .map(doc)
    }

    /// The latest record of every (replicate, condition) the run holds, in replicate then
    /// condition order, expanded.
    static func runs(_ outcomes: [ConditionOutcome], header: OrderedDictionary<String, Value>) throws -> [Value] {
        var conditions: [String] = []
        if case .list(let cs)? = header["conditions"] { conditions = cs.compactMap { if case .string(let s) = $0 { return s }; return nil } }
        var replicates = Int.max
        if case .int(let n)? = header["replicates"] { replicates = Int(n) }
        var steps: [String: OrderedDictionary<String, Value>] = [:]
        if case .list(let ps)? = header["pipeline"] {
            for case .map(let p) in ps { if case .string(let name)? = p["name"] { steps[name] = p } }
        }
        var latest: [Int: [String: ConditionOutcome]] = [:]
        // Retries and resumed runs append another record of the same (replicate, condition):
        // every attempt before the latest is kept, as its outcome.
        var earlier: [Int: [String: [ConditionOutcome]]] = [:]
        for o in outcomes where o.replicate < replicates && conditions.contains(o.condition) {
            if let previous = latest[o.replicate]?[o.condition] { earlier[o.replicate, default: [:]][o.condition, default: []].append(previous) }
            latest[o.replicate, default: [:]][o.condition] = o
        }
        var out: [Value] = []
        for r in latest.keys.sorted() {
            for c in conditions {
                guard let o = latest[r]?[c] else { continue }
                guard case .map(var run) = try expand(o, steps: steps) else { continue }
                let before = earlier[r]?[c] ?? []
                run["attempts"] = .int(Int64(before.count + 1))
                if !before.isEmpty {
                    run["earlier_attempts"] = .list(before.enumerated().map { i, e in
                        var a: OrderedDictionary<String, Value> = ["attempt": .int(Int64(i + 1))]
                        if let f = e.failure { a["error"] = .map(["step": .string(f.step), "message": .string(f.message)]) }
                        else { a["metrics"] = .map(e.metrics.mapValues { .list($0) }) }
                        return .map(a)
                    })
                }
                out.append(.map(run))
            }
        }
        return out
    }

    static func expand(_ o: ConditionOutcome, steps: [String: OrderedDictionary<String, Value>]) throws -> Value {
        var metricsSoFar = OrderedDictionary<String, [Value]>()
        var expanded: [Value] = []
        for s in try o.steps() {
            let info = steps[s.step] ?? [:]
            var changes = OrderedDictionary<String, (before: [Value], after: [Value])>()
            for m in s.metrics {
                let before = changes[m.name]?.before ?? metricsSoFar[m.name] ?? []
                changes[m.name] = (before, (changes[m.name]?.after ?? before) + [m.value])
                metricsSoFar[m.name, default: []].append(m.value)
            }
            var step: OrderedDictionary<String, Value> = [
                "step": .string(s.step), "params": .map(params(s, info: info)), "step_hash": info["step_hash"] ?? .null,
            ]
            if let i = s.inputHash, let h = s.outputHash { step["input_hash"] = .string(i); step["output_hash"] = .string(h) }
            step["cache_hit"] = .bool(s.cacheHit)
            step["ctx_changes"] = .map([
                "reads": .map(s.reads),
                "wrote": .map(s.writes.mapValues { .map(["before": .null, "after": $0]) }),
                "metrics": .map(changes.mapValues { .map(["before": .list($0.before), "after": .list($0.after)]) }),
            ])
            expanded.append(.map(step))
        }
        var run: OrderedDictionary<String, Value> = [
            "replicate": .int(Int64(o.replicate)), "condition": .string(o.condition), "seed_used": .int(Int64(o.seedUsed)),
            "metrics": .map(o.metrics.mapValues { .list($0) }),
            "metric_tags": .map(o.metricTags.mapValues { .list($0.map { .string($0) }) }),
            "steps": .list(expanded),
        ]
        if let f = o.failure { run["error"] = .map(["step": .string(f.step), "message": .string(f.message)]) }
        return .map(run)
    }

    /// The parameters the step was called with, resolved as the host resolved them: explicit,
    /// else the value read from the context, else the declared default.
    static func params(_ s: StepRecord, info: OrderedDictionary<String, Value>) -> OrderedDictionary<String, Value> {
        guard case .list(let declared)? = info["declared_params"] else { return [:] }
        var explicit: OrderedDictionary<String, Value> = [:]
        if case .map(let e)? = info["params"] { explicit = e }
        var defaults: OrderedDictionary<String, Value> = [:]
        if case .map(let d)? = info["param_defaults"] { defaults = d }
        var out = OrderedDictionary<String, Value>()
        for case .string(let p) in declared {
            if let v = explicit[p] ?? s.reads[p] ?? defaults[p] { out[p] = v }
        }
        return out
    }
}
