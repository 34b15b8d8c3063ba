import Foundation

/// Reads a running run's progress again and again: metadata.json each time (it is small), the
/// checkpoint journal through a `JournalTail`, so each read decodes only the outcomes finished
/// since the last one and updates its tallies by them. A retried (replicate, condition)
/// counts once, as its latest attempt.
public struct LiveProgressReader: Sendable {
    /// The run's version folder.
    public let versionDirectory: String
    private var tail: JournalTail
    private struct Pair: Hashable, Sendable { var replicate: Int; var condition: String }
    private struct Failed: Sendable { var step: String; var message: String }
    /// Every finished pair.
    private var latest: Set<Pair> = []
    /// The pairs whose latest outcome failed, with the failure.
    private var failed: [Pair: Failed] = [:]
    /// The metadata the tallies count against (pairs beyond its replicates or conditions are
    /// left out), and the tallies.
    private var counted: (replicates: Int, conditions: Set<String>) = (0, [])
    private var done = 0

    /// A reader of the run in `versionDirectory`, nothing read yet.
    public init(versionDirectory: String) {
        self.versionDirectory = versionDirectory
        tail = JournalTail(path: "\(versionDirectory)/\(RunStore.journalFileName)")
    }

    /// Bytes of the journal read so far.
    var journalBytesRead: Int { tail.bytesRead }

    /// The progress now.
    public mutating func read(now: Date = Date()) throws -> LiveProgress {
        let dir = versionDirectory
        guard case .map(let meta) = try JSONText.parseFile("\(dir)/metadata.json") else { throw StoreError("\(dir)/metadata.json is not a JSON object") }
        let replicates = meta.int("replicates") ?? 0
        let conditions = meta.strings("conditions") ?? []
        absorb(tail.poll(), replicates: replicates, conditions: Set(conditions))
        let shown = failed.filter { counts($0.key) }.sorted { ($0.key.replicate, $0.key.condition) < ($1.key.replicate, $1.key.condition) }
        var elapsed: Double? = nil
        if let s = meta.string("started"), let start = try? Date(s, strategy: Date.ISO8601FormatStyle()) {
            let end = meta.string("finished").flatMap { try? Date($0, strategy: Date.ISO8601FormatStyle()) } ?? now
            elapsed = max(0, end.timeIntervalSince(start))
        }
        let total = replicates * conditions.count
        let status = RunLiveness.shownStatus(meta.string("status") ?? "unknown", experimentDirectory: (dir as NSString).deletingLastPathComponent)
        var eta: Double? = nil
        if status == RunStatus.running.metadataWord, done > 0, done < total, let e = elapsed { eta = e / Double(done) * Double(total - done) }
        return LiveProgress(status: status, total: total, done: done, failures: shown.count, elapsed: elapsed, eta: eta,
                            recentFailures: shown.suffix(5).map { "replicate \($0.key.replicate), \($0.key.condition), \($0.value.step): \($0.value.message)" })
    }

    private func counts(_ pair: Pair) -> Bool { pair.replicate < counted.replicates && counted.conditions.contains(pair.condition) }

    /// Takes one poll's outcomes into the tallies; counts again from scratch only when the
    /// journal was read anew or the metadata's replicates or conditions changed.
    private mutating func absorb(_ poll: JournalTail.Poll, replicates: Int, conditions: Set<String>) {
        if poll.restarted { latest = []; failed = [:] }
        let recount = poll.restarted || replicates != counted.replicates || conditions != counted.conditions
        counted = (replicates, conditions)
        for o in poll.outcomes {
            let pair = Pair(replicate: o.replicate, condition: o.condition)
            if latest.insert(pair).inserted, !recount, counts(pair) { done += 1 }
            if let f = o.failure { failed[pair] = Failed(step: f.step, message: f.message) } else { failed[pair] = nil }
        }
        if recount { done = latest.reduce(0) { $0 + (counts($1) ? 1 : 0) } }
    }
}
