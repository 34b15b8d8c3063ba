import CCrystallize
import Foundation
import OrderedCollections

/// The last stage of a run: hypotheses, provenance.json, metadata.json with the final status,
/// the `after_run` hook, retention and `run_finished`; then the run's result. The status
/// recorded by each of them is the one `RunStatus`.
enum RunFinish {
    /// Finishes `run`; rethrows the strategy's error once everything is recorded.
    static func finish(_ run: PreparedRun, executed: RunExecution.Executed, aggregated: RunAggregation.Aggregated,
                       options: RunOptions, started: Date) throws -> RunResult {
        let plan = run.plan
        var hypotheses: [HypothesisOutcome] = []
        if !plan.hypotheses.isEmpty && (aggregated.allComplete || !aggregated.failures.isEmpty) {
            hypotheses = HypothesisEvaluator.evaluate(plan.hypotheses, metrics: aggregated.byReplicate, treatments: plan.conditions.dropFirst().map(\.name),
                                                      seed: plan.seed, warn: options.log)
        }
        let status = executed.strategyError == nil ? RunStatus(allComplete: aggregated.allComplete, cancelled: executed.cancelled) : .failed
        try ResultsWriteFailure.guarding(run.journal, plan: plan, path: run.versionDirectory) {
            try ProvenanceWriter.write(plan: plan, store: run.store, version: run.version, started: run.startedStamp,
                                       outcome: status.provenanceWord, hypotheses: hypotheses, cache: run.cache, git: run.git)
            try AtomicFile.write(run.store.metadataPath(run.version), text: JSONText.encode(
                RunMetadata.build(plan: plan, version: run.version, status: status.metadataWord,
                                  upstream: options.upstream, started: run.startedStamp, finished: HostInfo.now(), git: run.git), indent: 2))
        }
        let info = RunExecution.hookInfo(plan).merging(["outcome": .string(status.hookWord), "failures": .int(Int64(aggregated.failures.count))]) { $1 }
        HookDispatcher.call(plan.hooks, event: CRYS_HOOK_AFTER_RUN, info: info, seed: plan.seed, log: options.log)
        if plan.retention.versioned {
            Retention.prune(store: run.store, keep: plan.retention.keep, largeFileBytes: plan.retention.largeFileBytes, current: run.version, log: options.log)
        }
        options.events.publish(.runFinished(experiment: plan.name, version: run.version, status: status.provenanceWord, durationS: Date().timeIntervalSince(started)))
        if let error = executed.strategyError { throw error }
        let counts = run.cache?.counts ?? (0, 0)
        var result = RunResult(experiment: plan.name, version: run.version, versionDirectory: run.versionDirectory, replicates: plan.replicates,
                               conditions: plan.conditions.map(\.name), metrics: aggregated.metrics,
                               failures: aggregated.failures.sorted { ($0.replicate, $0.condition) < ($1.replicate, $1.condition) },
                               hypotheses: hypotheses, loadedFromDisk: false, rerunReason: run.rerunReason,
                               executedConditions: run.pending.conditionRuns, cacheHits: counts.0, cacheMisses: counts.1,
                               cancelled: executed.cancelled, elapsed: Date().timeIntervalSince(started))
        result.retried = executed.tally.retried
        result.status = status
        result.stoppedByFailFast = executed.tally.stoppedByFailFast
        return result
    }
}
