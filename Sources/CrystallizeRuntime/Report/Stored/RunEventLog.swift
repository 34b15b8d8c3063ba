import Foundation

/// Timing of one (replicate, condition), as the run's events recorded it.
public struct ReplicateTiming: Equatable {
    /// Replicate index.
    public var replicate: Int
    /// Condition name.
    public var condition: String
    /// When it finished (seconds since 1970, the event's time).
    public var finished: Double
    /// How long it ran.
    public var duration: Double
    /// Whether it succeeded.
    public var succeeded: Bool
}

/// Reads the event log a run leaves in its version folder: files of JSON lines (`*.jsonl`),
/// each line a `RunEvent` in its JSON form. Lines that are not events (other logs, a line cut
/// short by a crash) are skipped, so a reader never fails on them.
public enum RunEventLog {
    /// Every `*.jsonl` file directly in the version folder, sorted by name.
    public static func files(versionDirectory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: versionDirectory)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { "\(versionDirectory)/\($0)" }
    }

    /// The events of `files` with their times, in file order.
    public static func events(files: [String]) -> [(time: Double, event: RunEvent)] {
        var out: [(Double, RunEvent)] = []
        for f in files {
            guard let text = try? String(contentsOfFile: f, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("{") {
                guard let e = RunEvent(json: String(line)) else { continue }
                let time: Double
                if case .map(let m)? = try? JSONText.parse(String(line)), let t = m["time"]?.asDouble { time = t } else { time = 0 }
                out.append((time, e))
            }
        }
        return out
    }

    /// The latest `replicate_finished` of every (replicate, condition) of run `version` of
    /// `experiment`, in order of finishing. A log may hold several experiments (a graph's
    /// session) and several runs: a `run_started` tells which version the events after it
    /// belong to; a log with no `run_started` for the experiment is taken as this run's.
    public static func timings(files: [String], experiment: String, version: Int) -> [ReplicateTiming] {
        var latest: [String: ReplicateTiming] = [:]
        var order: [String] = []
        var current: [String: Int] = [:]
        for (time, e) in events(files: files) {
            if case .runStarted(let s) = e { current[s.experiment] = s.version; continue }
            guard case let .replicateFinished(exp, r, c, d, ok) = e, exp == experiment, (current[exp] ?? version) == version else { continue }
            let key = "\(r)\u{1F}\(c)"
            if latest[key] == nil { order.append(key) }
            latest[key] = ReplicateTiming(replicate: r, condition: c, finished: time, duration: d, succeeded: ok)
        }
        return order.compactMap { latest[$0] }.sorted { $0.finished < $1.finished }
    }
}
