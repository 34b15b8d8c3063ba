import CCrystallize
import Foundation
import OrderedCollections

/// rerun (always run) or resume (reuse what is complete and unchanged).
public enum RunStrategy: String, CaseIterable, Codable {
    case rerun, resume
}

/// Options of one run beyond the plan.
public struct RunOptions {
    /// rerun or resume.
    public var strategy: RunStrategy = .rerun
    /// Draw progress on stderr.
    public var showProgress = false
    /// Ctrl-C.
    public var cancel = CancellationFlag()
    /// The experiment folder or config file, for worker processes.
    public var target: String = ""
    /// The overrides, for worker processes.
    public var overrides = RunOverrides()
    /// Warnings and logs.
    public var log: (String) -> Void = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }
    /// Upstream versions consumed (DAG), recorded in metadata and checked by resume.
    public var upstream: OrderedDictionary<String, Value> = [:]
    /// Upstream artifacts for a consumer.
    public var inputs: UpstreamInputs? = nil
    /// Where the run's events go (progress line, run screen, dashboard, `--events`).
    public var events = RunEventBus()
    /// What a plugin strategy is asked to do (CRYS_LOOP_RUN unless detaching).
    public var loopMode: Int32 = 0
    /// `attach` / `cancel`: continue this version (submitted earlier) whatever resume would decide.
    public var attachVersion: Int? = nil
    /// Defaults.
    public init() {}
}

/// Runs a planned experiment end to end, in four stages, each the owner of its part:
/// `RunPreparation` (resume decision, version folder, metadata, journal, pending work),
/// `RunExecution` (hooks, setup, the strategy, teardown), `RunAggregation` (results files and
/// manifest) and `RunFinish` (hypotheses, provenance, final metadata, hooks, retention).
public enum ExperimentRunner {
    /// Runs `plan`. Throws only for problems that stop the run as a whole (storage, strategy).
    public static func run(_ plan: Plan, options: RunOptions) async throws -> RunResult {
        let started = Date()
        // Before any plugin code beyond the entry points: hooks, strategies and verifiers too.
        try PluginState.start(plan.registry.plugins)
        let run: PreparedRun
        switch try RunPreparation.prepare(plan, options: options, started: started) {
        case .loaded(let result):
            options.events.publish(.runStarted(RunStarted(plan: plan, version: result.version, pending: 0, strategy: options.strategy)))
            options.events.publish(.runFinished(experiment: plan.name, version: result.version, status: RunStatus.complete.provenanceWord, durationS: result.elapsed))
            return result
        case .ready(let prepared):
            run = prepared
        }
        // The progress line is one more subscriber, for this experiment of the session only.
        let progress = ProgressReporter(label: plan.name, total: plan.replicates, conditions: plan.conditions.count, enabled: options.showProgress)
        if options.showProgress {
            for o in run.recovered { progress.preload(replicate: o.replicate, condition: o.condition) }
            options.events.subscribe(progress)
        }
        defer { if options.showProgress { options.events.unsubscribe(progress) } }

        let executed = try await RunExecution.execute(run, options: options, progress: progress)
        if options.loopMode == CRYS_LOOP_DETACH, executed.strategyError == nil {
            return try DetachAction.finishDetached(plan, store: run.store, version: run.version, started: run.startedStamp, upstream: options.upstream,
                                                   git: run.git, events: options.events, elapsed: Date().timeIntervalSince(started))
        }
        let aggregated = try RunAggregation.aggregate(run)
        return try RunFinish.finish(run, executed: executed, aggregated: aggregated, options: options, started: started)
    }
}
