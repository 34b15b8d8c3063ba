import Foundation

/// The streaming worker's protocol with its parent (`worker --stream`).
///
/// Parent to worker, one work line per replicate: `<replicate> <condition>,<condition>…`.
/// Worker to parent: one line per finished (replicate, condition), the outcome's binary record
/// (the checkpoint journal's record encoding) in base64, which holds no spaces; `ok` after the
/// last condition of a work line; and, when the run's request asked for events,
/// `event <json>` lines, each a `RunEvent` in its JSON form.
enum WorkerPipeFormat {
    /// What ends the answer to one work line.
    static let done = "ok"
    /// What starts an event line.
    static let eventPrefix = "event "

    /// The work line asking for `conditions` of replicate `r`.
    static func workLine(replicate r: Int, conditions: [String]) -> String { "\(r) \(conditions.joined(separator: ","))\n" }

    /// Reads a work line: the replicate and the condition names; nil for anything else.
    static func parseWorkLine(_ line: String) -> (replicate: Int, conditions: Set<String>)? {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, let r = Int(parts[0]) else { return nil }
        return (r, Set(parts[1].split(separator: ",").map(String.init)))
    }

    /// An outcome's line (without the newline).
    static func outcomeLine(_ o: ConditionOutcome) -> String { Data(o.record).base64EncodedString() }

    /// Reads an outcome line.
    static func outcome(line: String) throws -> ConditionOutcome {
        guard let data = Data(base64Encoded: line) else { throw BinaryDecodingError(description: "not a base64 outcome record") }
        return try ConditionOutcome(record: [UInt8](data))
    }

    /// The JSON of an event line, nil for any other line.
    static func eventJSON(line: String) -> Substring? {
        line.hasPrefix(eventPrefix) ? line.dropFirst(eventPrefix.count) : nil
    }
}
