import Foundation

/// Retries and fail-fast, the same under every strategy: the strategy runs the pending work;
/// the (replicate, condition) runs that failed are then handed to it again, up to `retries`
/// more times (a flaky step, a lost worker, a plugin loop that gave up on a replicate). Every
/// attempt's outcome goes to the journal, so provenance keeps them all; a later success
/// replaces the failure in the results.
///
/// With `failFast`, the first failure that has no retry left stops scheduling (the run's stop
/// flag): what finished is kept, the rest is left for `--strategy resume`.
struct RetryPolicy {
    /// Further attempts after the first.
    let retries: Int
    /// Stop scheduling at the first failure with no retry left.
    let failFast: Bool

    /// What the attempts came to.
    struct Tally {
        /// (replicate, condition) runs that were run again at least once.
        var retried = 0
        /// Whether fail-fast stopped scheduling.
        var stoppedByFailFast = false
    }

    /// Runs `job` through `strategy`, then its failures again while retries are left.
    func execute(_ strategy: ExecutionStrategy, _ job: ExecutionJob, collector: OutcomeCollector, stop: CancellationFlag) async throws -> Tally {
        var tally = Tally()
        var retried = Set<String>()
        var work = job.pending
        for attempt in 0...retries {
            let last = attempt == retries
            let watch = failFast && last ? FailFastSink(collector, stop: stop) : nil
            try await strategy.execute(job.with(pending: work, sink: watch ?? collector))
            if watch?.tripped == true { tally.stoppedByFailFast = true }
            if last || stop.isCancelled { break }
            let failed = collector.failedWork()
            if failed.isEmpty { break }
            var items: [PendingWork.Element] = []
            for (r, names) in failed {
                let conditions = job.plan.conditions.filter { names.contains($0.name) }
                if conditions.isEmpty { continue }
                items.append((r, conditions))
                for c in conditions { retried.insert("\(r)/\(c.name)") }
            }
            job.warn("note: retrying \(items.reduce(0) { $0 + $1.conditions.count }) failed (replicate, condition) run(s): attempt \(attempt + 2) of \(retries + 1)")
            work = PendingWork(items)
        }
        tally.retried = retried.count
        return tally
    }
}

/// Passes outcomes on and sets the stop flag at the first failure.
final class FailFastSink: OutcomeSink {
    private let next: OutcomeSink
    private let stop: CancellationFlag
    private let lock = NSLock()
    private(set) var tripped = false

    init(_ next: OutcomeSink, stop: CancellationFlag) { self.next = next; self.stop = stop }

    func accept(_ outcome: consuming ConditionOutcome) {
        let failed = outcome.failure != nil
        next.accept(outcome)
        guard failed else { return }
        lock.lock(); tripped = true; lock.unlock()
        stop.cancel()
    }
}

extension ExecutionJob {
    /// The same job with other pending work and another sink (a retry pass, a fail-fast watch).
    func with(pending: PendingWork, sink: OutcomeSink) -> ExecutionJob {
        ExecutionJob(plan: plan, pending: pending, runner: runner, sink: sink, cancel: cancel, worker: worker,
                     workDirectory: workDirectory, progress: progress, warn: warn, events: events,
                     versionDirectory: versionDirectory, loopMode: loopMode)
    }
}
