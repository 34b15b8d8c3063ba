import Foundation

/// Gathers outcomes as they stream in from any strategy: journals each one at once (the
/// per-replicate checkpoint), keeps it for aggregation, and reports progress.
final class OutcomeCollector: OutcomeSink {
    private let lock = NSLock()
    private let journal: CheckpointJournal?
    private(set) var outcomes: [String: [Int: ConditionOutcome]] = [:]
    private let progress: ProgressReporter?
    private let conditionCount: Int
    private var perReplicate: [Int: Int] = [:]
    private(set) var failures = 0

    init(journal: CheckpointJournal?, progress: ProgressReporter?, conditionCount: Int) {
        self.journal = journal
        self.progress = progress
        self.conditionCount = conditionCount
    }

    /// Each outcome's encoded JSON, written once for its checkpoint and reused for provenance.
    private(set) var encoded: [String: [Int: [UInt8]]] = [:]

    /// Seeds the collector with outcomes recovered from an earlier, interrupted run.
    func preload(_ items: [ConditionOutcome]) {
        for o in items {
            outcomes[o.condition, default: [:]][o.replicate] = o
            encoded[o.condition, default: [:]][o.replicate] = o.encodedJSON()
        }
    }

    /// The encoded record of (replicate, condition), if any.
    func encodedOutcome(_ replicate: Int, _ condition: String) -> [UInt8]? {
        lock.lock(); defer { lock.unlock() }
        return encoded[condition]?[replicate]
    }

    func accept(_ outcome: ConditionOutcome) {
        let payload = journal?.append(outcome) ?? outcome.encodedJSON()
        lock.lock()
        encoded[outcome.condition, default: [:]][outcome.replicate] = payload
        // Keep only what aggregation needs; the step records live on in the encoded payload.
        var slim = outcome
        slim.steps = []
        outcomes[outcome.condition, default: [:]][outcome.replicate] = slim
        if outcome.failure != nil { failures += 1 }
        perReplicate[outcome.replicate, default: 0] += 1
        let replicateDone = perReplicate[outcome.replicate] == conditionCount
        if replicateDone { perReplicate[outcome.replicate] = nil }
        lock.unlock()
        progress?.conditionFinished(failed: outcome.failure != nil, replicateDone: replicateDone)
    }

    /// The outcome of (replicate, condition), if any.
    func outcome(_ replicate: Int, _ condition: String) -> ConditionOutcome? {
        lock.lock(); defer { lock.unlock() }
        return outcomes[condition]?[replicate]
    }
}
