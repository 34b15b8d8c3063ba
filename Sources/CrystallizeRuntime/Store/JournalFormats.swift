import Foundation

/// Every checkpoint format a release of this host wrote, and how each is read back, so a run
/// written by any earlier host stays readable by `show`, `--provenance` and resume:
///
/// - **JSON lines** (the first release): `vN/.crystallize_checkpoints.jsonl`, one line per
///   (replicate, condition), `<16 hex of sha256(payload)> <payload JSON>`; its step records
///   lived inline in provenance.json, so they are shown from there.
/// - **format 1** (`RS C J B` blocks in `vN/replicates.journal`): metrics grouped by name.
/// - **format 2** (`RS C J 2` blocks): metrics as one ordered log. This host writes format 2.
///
/// A block of a later format (`RS C J 3`…`9`, checksum intact) was written by a newer host:
/// it is reported as such (`NewerFormat`), never as damage.
public enum JournalFormats {
    /// The first release's checkpoint file name inside a version folder.
    public static let jsonLinesFileName = ".crystallize_checkpoints.jsonl"

    /// The format of a block from the fourth byte of its marker: 'B' is 1, a digit is itself.
    static func blockFormat(_ byte: UInt8) -> Int? {
        if byte == 0x42 { return 1 }
        if byte >= 0x32 && byte <= 0x39 { return Int(byte - 0x30) }
        return nil
    }

    /// What reading a journal found.
    struct Scan {
        var outcomes: [ConditionOutcome]
        var damaged: Int
        var newerFormats: Set<Int>
    }

    /// A checkpoint or provenance file written by a newer host than this one.
    public struct NewerFormat: Error, CustomStringConvertible {
        /// The file.
        public var path: String
        /// The format it holds.
        public var format: String
        /// The message.
        public var description: String {
            "\(path) was written by a newer crystallize-host (\(format)); this host (\(HostInfo.version)) reads checkpoint journal formats 1 and 2 " +
                "and the first release's JSON lines. Read it with a newer crystallize-host; nothing was changed"
        }
    }

    /// Every outcome checkpointed in version folder `dir`, in the order written: the first
    /// release's JSON lines (if any), then the journal. Throws `NewerFormat` when the journal
    /// holds blocks of a format this host does not know.
    public static func readVersion(_ dir: String) throws -> (outcomes: [ConditionOutcome], damaged: Int) {
        let legacy = readJSONLines("\(dir)/\(jsonLinesFileName)")
        let path = "\(dir)/\(RunStore.journalFileName)"
        guard let data = FileManager.default.contents(atPath: path) else { return legacy }
        let scan = CheckpointJournal.scan(bytes: [UInt8](data))
        if let f = scan.newerFormats.max() { throw NewerFormat(path: path, format: "checkpoint journal format \(f)") }
        return (legacy.outcomes + scan.outcomes, legacy.damaged + scan.damaged)
    }

    /// Whether version folder `dir` holds checkpoints of any format.
    public static func hasCheckpoints(_ dir: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(dir)/\(RunStore.journalFileName)") || FileManager.default.fileExists(atPath: "\(dir)/\(jsonLinesFileName)")
    }

    /// The first release's JSON-lines checkpoints: outcomes with their metrics and failures
    /// (its step records are in provenance.json, not here).
    static func readJSONLines(_ path: String) -> (outcomes: [ConditionOutcome], damaged: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], 0) }
        var outcomes: [ConditionOutcome] = []
        var damaged = 0
        for raw in data.split(separator: 10, omittingEmptySubsequences: true) {
            guard raw.count > 17, raw[raw.startIndex + 16] == 32 else { damaged += 1; continue }
            let payload = Array(raw.dropFirst(17))
            guard String(ValueHash.hex(bytes: payload).prefix(16)) == String(decoding: raw.prefix(16), as: UTF8.self),
                  let v = try? JSONText.parse(String(decoding: payload, as: UTF8.self)),
                  let o = outcome(fromJSON: v) else { damaged += 1; continue }
            outcomes.append(o)
        }
        return (outcomes, damaged)
    }

    /// One JSON-lines outcome: `{replicate, condition, seed_used, metrics, metric_tags, steps, error?}`.
    static func outcome(fromJSON v: Value) -> ConditionOutcome? {
        guard case .map(let m) = v, case .int(let r)? = m["replicate"], case .string(let c)? = m["condition"] else { return nil }
        var seed: UInt64 = 0
        if case .int(let s)? = m["seed_used"] { seed = UInt64(truncatingIfNeeded: s) }
        var log: [RecordedMetric] = []
        if case .map(let metrics)? = m["metrics"] {
            for (name, values) in metrics { if case .list(let l) = values { log += l.map { RecordedMetric(name: name, value: $0) } } }
        }
        var tags: [String: [String]] = [:]
        if case .map(let t)? = m["metric_tags"] {
            for (name, list) in t { if case .list(let l) = list { tags[name] = l.compactMap { if case .string(let s) = $0 { return s }; return nil } } }
        }
        var failure: Failure? = nil
        if case .map(let e)? = m["error"], case .string(let step)? = e["step"], case .string(let message)? = e["message"] {
            failure = Failure(step: step, message: message)
        }
        var outcome = ConditionOutcome(replicate: Int(r), condition: c, seedUsed: seed, metricLog: log, metricTags: [:],
                                       encodedSteps: [], stepCount: 0, failure: failure)
        for (k, t) in tags.sorted(by: { $0.key < $1.key }) { outcome.metricTags[k] = t }
        return outcome
    }
}
