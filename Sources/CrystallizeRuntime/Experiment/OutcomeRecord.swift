import Foundation
import OrderedCollections

/// The binary record of a finished (replicate, condition): what the checkpoint journal, worker
/// processes and worker result files carry. Written once per (replicate, condition) on the
/// hot path, so it is a flat byte encoding with no intermediate tree.
extension ConditionOutcome {
    /// Appends this outcome's record to `w`.
    func encode(into w: inout ByteWriter) {
        w.varint(UInt64(replicate))
        w.string(condition)
        w.varint(seedUsed)
        w.varint(UInt64(metricLog.count))
        metricLog.withUnsafeBufferPointer { log in for m in log { w.string(m.name); w.value(m.value) } }
        let tags = metricTags
        w.varint(UInt64(tags.count))
        for (name, list) in tags {
            w.string(name)
            w.varint(UInt64(list.count))
            for t in list { w.string(t) }
        }
        w.varint(UInt64(stepCount))
        w.append(encodedSteps)
        if let f = failure { w.byte(1); w.string(f.step); w.string(f.message) } else { w.byte(0) }
    }

    /// This outcome's record alone.
    var record: [UInt8] {
        var w = ByteWriter()
        encode(into: &w)
        return w.bytes
    }

    /// Reads one record of journal format `format` (1 kept metrics grouped by name; 2 keeps
    /// them as one ordered log; the rest is the same).
    init(from r: inout ByteReader, format: Int = CheckpointJournal.format) throws {
        let replicate = Int(try r.varint())
        let condition = try r.string()
        let seedUsed = try r.varint()
        var metricLog: [RecordedMetric] = []
        if format == 1 {
            for _ in 0..<(try r.count()) {
                let name = try r.string()
                for _ in 0..<(try r.count()) { metricLog.append(RecordedMetric(name: name, value: try r.value())) }
            }
        } else {
            for _ in 0..<(try r.count()) { metricLog.append(RecordedMetric(name: try r.string(), value: try r.value())) }
        }
        var metricTags: OrderedDictionary<String, [String]> = [:]
        for _ in 0..<(try r.count()) {
            let name = try r.string()
            var tags: [String] = []
            for _ in 0..<(try r.count()) { tags.append(try r.string()) }
            metricTags[name] = tags
        }
        let stepCount = try r.count()
        let stepsStart = r.offset
        for _ in 0..<stepCount { _ = try StepRecord(from: &r) }
        let encodedSteps = Array(try r.slice(from: stepsStart))
        let failure = try r.byte() == 1 ? Failure(step: try r.string(), message: try r.string()) : nil
        self.init(replicate: replicate, condition: condition, seedUsed: seedUsed, metricLog: metricLog, metricTags: metricTags,
                  encodedSteps: encodedSteps, stepCount: stepCount, failure: failure)
    }

    /// Reads a record made by `record`.
    init(record: [UInt8]) throws {
        var r = ByteReader(record)
        try self.init(from: &r)
        guard r.isAtEnd else { throw BinaryDecodingError(description: "trailing bytes after the record") }
    }
}

extension StepRecord {
    private static let cacheHitFlag: UInt8 = 1
    private static let hashesFlag: UInt8 = 2

    func encode(into w: inout ByteWriter) {
        Self.encode(step: step, cacheHit: cacheHit, inputHash: inputHash, outputHash: outputHash, reads: reads.elements,
                    writes: writes.elements, metrics: metrics[...], into: &w)
    }

    /// Encodes a record from its parts, so the runner never builds a `StepRecord` on the hot
    /// path. Elements are read by index: over the context's buffers, nothing is copied.
    static func encode<Reads: RandomAccessCollection, Writes: RandomAccessCollection, Metrics: RandomAccessCollection>(
        step: String, cacheHit: Bool, inputHash: String?, outputHash: String?, reads: Reads,
        writes: Writes, metrics: Metrics, into w: inout ByteWriter)
    where Reads.Element == (key: String, value: Value), Writes.Element == (key: String, value: Value), Metrics.Element == RecordedMetric {
        w.string(step)
        let hashed = inputHash != nil && outputHash != nil
        w.byte((cacheHit ? cacheHitFlag : 0) | (hashed ? hashesFlag : 0))
        if hashed { w.string(inputHash!); w.string(outputHash!) }
        w.varint(UInt64(reads.count))
        for i in reads.indices { w.string(reads[i].key); w.value(reads[i].value) }
        w.varint(UInt64(writes.count))
        for i in writes.indices { w.string(writes[i].key); w.value(writes[i].value) }
        w.varint(UInt64(metrics.count))
        for i in metrics.indices { w.string(metrics[i].name); w.value(metrics[i].value) }
    }

    /// Encodes the record of the step `context` has just run — the keys it read, the keys it
    /// added and the metric values it recorded from `metricMark` on — over the context's
    /// lists in place.
    static func encode(step: String, cacheHit: Bool, inputHash: String?, outputHash: String?, context: RunContext,
                       metricMark: Int, into w: inout ByteWriter) {
        context.state.readLog.withUnsafeBufferPointer { reads in
            context.state.metricLog.withUnsafeBufferPointer { log in
                encode(step: step, cacheHit: cacheHit, inputHash: inputHash, outputHash: outputHash, reads: reads,
                       writes: StepWrites(context: context), metrics: UnsafeBufferPointer(rebasing: log[metricMark...]), into: &w)
            }
        }
    }

    init(from r: inout ByteReader) throws {
        step = try r.string()
        let flags = try r.byte()
        cacheHit = flags & Self.cacheHitFlag != 0
        if flags & Self.hashesFlag != 0 { inputHash = try r.string(); outputHash = try r.string() } else { inputHash = nil; outputHash = nil }
        reads = [:]
        for _ in 0..<(try r.count()) { let k = try r.string(); reads[k] = try r.value() }
        writes = [:]
        for _ in 0..<(try r.count()) { let k = try r.string(); writes[k] = try r.value() }
        metrics = []
        for _ in 0..<(try r.count()) { metrics.append(RecordedMetric(name: try r.string(), value: try r.value())) }
    }
}
