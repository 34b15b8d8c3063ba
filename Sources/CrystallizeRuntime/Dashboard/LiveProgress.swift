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

    /// Reads the progress of the run in `versionDirectory`.
    public static func read(versionDirectory dir: String, now: Date = Date()) throws -> LiveProgress {
        guard case .map(let meta) = try JSONText.parseFile("\(dir)/metadata.json") else { throw StoreError("\(dir)/metadata.json is not a JSON object") }
        let replicates = meta.int("replicates") ?? 0
        let conditions = meta.strings("conditions") ?? []
        var latest: [String: ConditionOutcome] = [:]
        for o in CheckpointJournal.read("\(dir)/\(RunStore.journalFileName)").outcomes where o.replicate < replicates && conditions.contains(o.condition) {
            latest["\(o.replicate)\u{1F}\(o.condition)"] = o
        }
        let failed = latest.values.filter { $0.failure != nil }.sorted { ($0.replicate, $0.condition) < ($1.replicate, $1.condition) }
        var elapsed: Double? = nil
        if let s = meta.string("started"), let start = try? Date(s, strategy: Date.ISO8601FormatStyle()) {
            let end = meta.string("finished").flatMap { try? Date($0, strategy: Date.ISO8601FormatStyle()) } ?? now
            elapsed = max(0, end.timeIntervalSince(start))
        }
        let total = replicates * conditions.count
        let done = latest.count
        let status = RunLiveness.shownStatus(meta.string("status") ?? "unknown", experimentDirectory: (dir as NSString).deletingLastPathComponent)
        var eta: Double? = nil
        if status == RunStatus.running.metadataWord, done > 0, done < total, let e = elapsed { eta = e / Double(done) * Double(total - done) }
        return LiveProgress(status: status, total: total, done: done, failures: failed.count, elapsed: elapsed, eta: eta,
                            recentFailures: failed.suffix(5).map { "replicate \($0.replicate), \($0.condition), \($0.failure!.step): \($0.failure!.message)" })
    }

    /// The JSON the dashboard pushes to its live page.
    public var json: Value {
        .map(["status": .string(status), "total": .int(Int64(total)), "done": .int(Int64(done)), "failures": .int(Int64(failures)),
              "elapsed_s": elapsed.map(Value.double) ?? .null, "eta_s": eta.map(Value.double) ?? .null,
              "recent_failures": .list(recentFailures.map(Value.string))])
    }
}
