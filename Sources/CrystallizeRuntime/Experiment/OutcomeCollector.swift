import Foundation

/// Gathers outcomes as they stream in from any strategy: journals each one (the
/// per-replicate checkpoint, which also keeps its step provenance), keeps what aggregation
/// needs.
final class OutcomeCollector: OutcomeSink {
    private let lock = NSLock()
    private let journal: CheckpointJournal?
    private let conditions: [String]
    private let conditionIndex: [String: Int]
    private let replicates: Int

    /// What the collector has gathered, under `lock`.
    private struct Table {
        /// The metric log of (condition c, replicate r) at c * replicates + r, nil until it has
        /// finished: all aggregation needs of a successful outcome (the rest lives on in the
        /// journal), in 8 bytes a slot.
        var logs: [[RecordedMetric]?]
        /// Failed outcomes by slot, kept whole (without step records) for the error report.
        var failed: [Int: ConditionOutcome] = [:]
        var failures = 0
    }

    // Reached by every finished outcome, always under `lock`; its run-time exclusivity check
    // pays: bench/run.sh's "trivial 10,000 serial" line (per-replicate overhead). See
    // docs/ARCHITECTURE.md, "Unsafe constructs".
    @exclusivity(unchecked) private var table: Table
    /// How many (replicate, condition)s have failed (their latest attempt).
    var failures: Int { table.failures }

    init(journal: CheckpointJournal?, conditions: [String], replicates: Int) {
        self.journal = journal
        self.conditions = conditions
        conditionIndex = Dictionary(conditions.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        self.replicates = replicates
        table = Table(logs: Array(repeating: nil, count: replicates * conditions.count))
    }

    /// Seeds the collector with outcomes recovered from an earlier, interrupted run.
    func preload(_ items: [ConditionOutcome]) {
        for o in items { store(o) }
    }

    /// The position of `condition`: a scan for the usual handful (cheaper than hashing).
    private func index(_ condition: String) -> Int? {
        conditions.count <= 8 ? conditions.firstIndex(of: condition) : conditionIndex[condition]
    }

    /// What a slot held before an outcome was stored in it.
    private enum Earlier { case unknownSlot, empty, succeeded, failed }

    /// Keeps what aggregation needs of an outcome: its metric log, and the whole outcome
    /// (without step records) when it failed. A later outcome of the same slot replaces it.
    @discardableResult
    private func store(replicate: Int, condition: String, log: [RecordedMetric], failure: ConditionOutcome?) -> Earlier {
        guard let c = index(condition), replicate >= 0, replicate < replicates else { return .unknownSlot }
        let at = c * replicates + replicate
        let earlier: Earlier = table.logs[at] == nil ? .empty : (table.failed.isEmpty || table.failed[at] == nil ? .succeeded : .failed)
        table.logs[at] = log
        if var failure {
            failure.encodedSteps = []
            table.failed[at] = failure
        } else if earlier == .failed {
            table.failed[at] = nil
        }
        return earlier
    }

    @discardableResult
    private func store(_ outcome: ConditionOutcome) -> Earlier {
        store(replicate: outcome.replicate, condition: outcome.condition, log: outcome.metricLog, failure: outcome.failure != nil ? outcome : nil)
    }

    /// Takes one finished outcome. A (replicate, condition) submitted again (a plugin loop
    /// retrying it) replaces the earlier outcome and is counted once.
    func accept(_ outcome: consuming ConditionOutcome) {
        let failed = outcome.failure != nil
        let replicate = outcome.replicate, condition = outcome.condition, log = outcome.metricLog
        let failure = failed ? copy outcome : nil
        // The journal takes the outcome itself; the collector keeps only what it needs.
        journal?.append(consume outcome)
        lock.lock()
        let earlier = store(replicate: replicate, condition: condition, log: log, failure: failure)
        let wasFailed = earlier == .failed
        table.failures += (failed ? 1 : 0) - (wasFailed ? 1 : 0)
        lock.unlock()
    }

    /// What finished of `condition`: each replicate's metric log in replicate order (nil: not
    /// run; a view of the collector's table, not a copy), and the failed outcomes by replicate.
    func results(of condition: String) -> (logs: ArraySlice<[RecordedMetric]?>, failed: [Int: ConditionOutcome]) {
        lock.lock(); defer { lock.unlock() }
        guard let c = index(condition) else { return ([], [:]) }
        let slots = (c * replicates)..<((c + 1) * replicates)
        var failures: [Int: ConditionOutcome] = [:]
        for (at, o) in table.failed where slots.contains(at) { failures[at - slots.lowerBound] = o }
        return (table.logs[slots], failures)
    }

    /// The failed (replicate, condition names), in replicate order: what a retry runs again.
    func failedWork() -> [(replicate: Int, conditions: [String])] {
        lock.lock(); defer { lock.unlock() }
        var byReplicate: [Int: [String]] = [:]
        for at in table.failed.keys.sorted() { byReplicate[at % replicates, default: []].append(conditions[at / replicates]) }
        return byReplicate.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Whether (replicate, condition) has finished.
    func hasOutcome(_ replicate: Int, _ condition: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let c = index(condition), replicate >= 0, replicate < replicates else { return false }
        return table.logs[c * replicates + replicate] != nil
    }
}
