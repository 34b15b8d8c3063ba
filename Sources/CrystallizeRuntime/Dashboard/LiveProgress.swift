import Foundation
import OrderedCollections

/// A run's progress as another process sees it: read from the files the running run writes —
/// metadata.json (status, replicates, conditions, start) and the checkpoint journal (each
/// finished (replicate, condition) lands there within the journal's flush interval).
public struct LiveProgress: Equatable, Sendable {
    /// metadata.json's status ("running", "complete", …).
    public var status: String
    /// (replicate, condition) pairs the run has in all.
    public var total: Int
    /// Pairs finished so far (succeeded or failed).
    public var done: Int
    /// Pairs that failed.
    public var failures: Int
    /// Seconds since the run started (nil when its start is unknown).
    public var elapsed: Double?
    /// Estimated seconds left at the rate so far (nil until something finished, or when done).
    public var eta: Double?
    /// The last few failures, newest last ("replicate 3, baseline, step: message").
    public var recentFailures: [String]

    /// What a change is judged by: the clock alone moving is not news.
    public var state: [String] { [status, "\(total)", "\(done)", "\(failures)"] }

    /// Reads the progress of the run in `versionDirectory` once.
    public static func read(versionDirectory dir: String, now: Date = Date()) throws -> LiveProgress {
        var reader = LiveProgressReader(versionDirectory: dir)
        return try reader.read(now: now)
    }

    /// The JSON the dashboard pushes to its live page.
    public var json: Value {
        .map(["status": .string(status), "total": .int(Int64(total)), "done": .int(Int64(done)), "failures": .int(Int64(failures)),
              "elapsed_s": elapsed.map(Value.double) ?? .null, "eta_s": eta.map(Value.double) ?? .null,
              "recent_failures": .list(recentFailures.map(Value.string))])
    }
}
