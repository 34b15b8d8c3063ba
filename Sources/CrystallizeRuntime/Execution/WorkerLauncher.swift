import Foundation

/// How to start a worker process: this host binary with the `worker` subcommand and the
/// run's request file, so the worker loads the same config, plugins and overrides.
public struct WorkerLauncher {
    /// Absolute path of the host executable.
    public var executable: String
    /// The request file describing the run.
    public var requestPath: String

    /// The argv of a worker that streams results for replicates it reads on stdin.
    public var streamingCommand: [String] { [executable, "worker", "--request", requestPath, "--stream"] }

    /// The argv of a worker that runs one replicate and writes its result file.
    public func oneShotCommand(replicate: String, resultPath: String) -> [String] {
        [executable, "worker", "--request", requestPath, "--replicate", replicate, "--out", resultPath]
    }

    /// The running executable's absolute path.
    public static var currentExecutable: String {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// Where a one-shot worker writing `resultPath` keeps its run events (JSON lines).
    public static func eventsPath(beside resultPath: String) -> String { resultPath + ".events.jsonl" }

    /// The event lines a one-shot worker kept beside `resultPath`, nil when it kept none.
    static func readEventsFile(beside resultPath: String) -> [Substring]? {
        guard let d = FileManager.default.contents(atPath: eventsPath(beside: resultPath)) else { return nil }
        return String(decoding: d, as: UTF8.self).split(separator: "\n")
    }

    /// Reads a one-shot worker's result file: the outcomes in the checkpoint journal's format.
    public static func readResultFile(_ path: String) throws -> [ConditionOutcome] {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError("\(path): the worker wrote no result file") }
        let (outcomes, damaged) = CheckpointJournal.read(path)
        if damaged > 0 { throw StoreError("\(path): a worker result file is damaged (\(damaged) unreadable region(s))") }
        return outcomes
    }
}

/// The streaming worker's lines to its parent: an outcome (base64, no spaces), `ok` after each
/// work line, or a run event, `event <json>`, when the request asked for events.
enum WorkerProtocol {
    /// What starts an event line.
    static let eventPrefix = "event "
}
