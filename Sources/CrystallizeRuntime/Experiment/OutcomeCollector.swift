import Foundation

/// Gathers outcomes as they stream in from any strategy: journals each one (the
/// per-replicate checkpoint, which also keeps its step provenance), keeps what aggregation
/// needs, and reports progress.
final class OutcomeCollector: OutcomeSink {
    private let lock = NSLock()
    private let journal: CheckpointJournal?
    private let progress: ProgressReporter?
    private let conditions: [String]
    private let conditionIndex: [String: Int]
    /// Outcome of (condition c, replicate r) at c * replicates + r, without step records:
    /// those live on in the journal.
    @exclusivity(unchecked) private var table: [ConditionOutcome?]
    private let replicates: Int
    @exclusivity(unchecked) private var finishedPerReplicate: [Int]
    @exclusivity(unchecked) private(set) var failures = 0

    init(journal: CheckpointJournal?, progress: ProgressReporter?, conditions: [String], replicates: Int) {
        self.journal = journal
        self.progress = progress
        self.conditions = conditions
        conditionIndex = Dictionary(conditions.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        self.replicates = replicates
        table = Array(repeating: nil, count: replicates * conditions.count)
        finishedPerReplicate = Array(repeating: 0, count: replicates)
    }

    /// Seeds the collector with outcomes recovered from an earlier, interrupted run.
    func preload(_ items: [ConditionOutcome]) {
        for o in items { store(o) }
    }

    /// The position of `condition`: a scan for the usual handful (cheaper than hashing).
    private func index(_ condition: String) -> Int? {
        conditions.count <= 8 ? conditions.firstIndex(of: condition) : conditionIndex[condition]
    }

    @discardableResult
    private func store(_ outcome: consuming ConditionOutcome) -> Bool {
        guard let c = index(outcome.condition), outcome.replicate >= 0, outcome.replicate < finishedPerReplicate.count else { return false }
        outcome.encodedSteps = []
        let at = c * replicates + outcome.replicate
        table[at] = consume outcome
        return true
    }

    func accept(_ outcome: consuming ConditionOutcome) {
        journal?.append(outcome)
        let failed = outcome.failure != nil
        let replicate = outcome.replicate
        lock.lock()
        let known = store(outcome)
        if failed { failures += 1 }
        var replicateDone = false
        if known {
            finishedPerReplicate[replicate] += 1
            replicateDone = finishedPerReplicate[replicate] == conditions.count
        }
        lock.unlock()
        progress?.conditionFinished(failed: failed, replicateDone: replicateDone)
    }

    /// Every replicate's outcome of `condition`, in replicate order (nil: not run); a view
    /// of the collector's table, not a copy.
    func outcomes(of condition: String) -> ArraySlice<ConditionOutcome?> {
        lock.lock(); defer { lock.unlock() }
        return index(condition).map { table[($0 * replicates)..<(($0 + 1) * replicates)] } ?? []
    }

    /// The outcome of (replicate, condition), if any (without its step records).
    func outcome(_ replicate: Int, _ condition: String) -> ConditionOutcome? {
        lock.lock(); defer { lock.unlock() }
        guard let c = index(condition), replicate >= 0, replicate < finishedPerReplicate.count else { return nil }
        return table[c * replicates + replicate]
    }
}
