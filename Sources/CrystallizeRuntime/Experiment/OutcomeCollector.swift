import Foundation

/// Gathers outcomes as they stream in from any strategy: journals each one (the
/// per-replicate checkpoint, which also keeps its step provenance), keeps what aggregation
/// needs, and reports progress.
final class OutcomeCollector: OutcomeSink {
    private let lock = NSLock()
    private let journal: CheckpointJournal?
    private let progress: ProgressReporter?
    private let conditionIndex: [String: Int]
    /// [condition][replicate], without step records: those live on in the journal.
    @exclusivity(unchecked) private var table: [[ConditionOutcome?]]
    @exclusivity(unchecked) private var finishedPerReplicate: [Int]
    private(set) var failures = 0

    init(journal: CheckpointJournal?, progress: ProgressReporter?, conditions: [String], replicates: Int) {
        self.journal = journal
        self.progress = progress
        conditionIndex = Dictionary(conditions.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        table = Array(repeating: Array(repeating: nil, count: replicates), count: conditions.count)
        finishedPerReplicate = Array(repeating: 0, count: replicates)
    }

    /// Seeds the collector with outcomes recovered from an earlier, interrupted run.
    func preload(_ items: [ConditionOutcome]) {
        for o in items { store(o) }
    }

    @discardableResult
    private func store(_ outcome: ConditionOutcome) -> Bool {
        guard let c = conditionIndex[outcome.condition], outcome.replicate >= 0, outcome.replicate < finishedPerReplicate.count else { return false }
        var slim = outcome
        slim.encodedSteps = []
        table[c][outcome.replicate] = slim
        return true
    }

    func accept(_ outcome: ConditionOutcome) {
        journal?.append(outcome)
        lock.lock()
        let known = store(outcome)
        if outcome.failure != nil { failures += 1 }
        var replicateDone = false
        if known {
            finishedPerReplicate[outcome.replicate] += 1
            replicateDone = finishedPerReplicate[outcome.replicate] == table.count
        }
        lock.unlock()
        progress?.conditionFinished(failed: outcome.failure != nil, replicateDone: replicateDone)
    }

    /// The outcome of (replicate, condition), if any (without its step records).
    func outcome(_ replicate: Int, _ condition: String) -> ConditionOutcome? {
        lock.lock(); defer { lock.unlock() }
        guard let c = conditionIndex[condition], replicate >= 0, replicate < finishedPerReplicate.count else { return nil }
        return table[c][replicate]
    }
}
