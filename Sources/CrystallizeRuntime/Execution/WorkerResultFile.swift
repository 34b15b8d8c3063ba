import Foundation

/// What a one-shot worker (`worker --replicate R --out FILE`, the command plugin run loops and
/// cluster tasks start) leaves for its parent: the result file, the replicate's outcomes in
/// the checkpoint journal's block format (checksummed, so a torn copy is noticed), and, when
/// the run's request asked for events, the replicate's events as JSON lines beside it.
enum WorkerResultFile {
    /// Where the events of the worker writing `resultPath` go.
    static func eventsPath(beside resultPath: String) -> String { resultPath + ".events.jsonl" }

    /// Writes the events (when given) and then the outcomes, each atomically: the parent reads
    /// the events when it takes the result file, so they are on disk first.
    static func write(_ outcomes: [ConditionOutcome], events: String?, to path: String) throws {
        if let events { try AtomicFile.write(eventsPath(beside: path), text: events) }
        try AtomicFile.write(path, bytes: CheckpointJournal.encode(outcomes))
    }

    /// Reads a result file; errors name the file.
    static func read(_ path: String) throws -> [ConditionOutcome] {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError("\(path): the worker wrote no result file") }
        let (outcomes, damaged) = CheckpointJournal.read(path)
        if damaged > 0 { throw StoreError("\(path): a worker result file is damaged (\(damaged) unreadable region(s))") }
        return outcomes
    }

    /// The event lines kept beside `resultPath`, nil when there are none.
    static func eventLines(beside resultPath: String) -> [Substring]? {
        guard let d = FileManager.default.contents(atPath: eventsPath(beside: resultPath)) else { return nil }
        return String(decoding: d, as: UTF8.self).split(separator: "\n")
    }
}
