import CCrystallize
import Foundation
import OrderedCollections

/// The second stage of a run: the `before_run` hook, step setup, the strategy running the
/// pending work (with retries and fail-fast), step teardown and the journal's last sync.
enum RunExecution {
    /// How execution ended.
    struct Executed {
        /// What stopped the strategy as a whole, if anything; reported after the run is finished.
        let strategyError: Error?
        /// Retries and fail-fast.
        let tally: RetryPolicy.Tally
        /// Whether Ctrl-C (or `cancel`) cut the run short.
        let cancelled: Bool
    }

    /// Executes `run`'s pending work. Throws a `JournalWriteFailure` when checkpoints were lost.
    static func execute(_ run: PreparedRun, options: RunOptions, progress: ProgressReporter) async throws -> Executed {
        let plan = run.plan
        let events = options.events
        let runner = ReplicateRunner(plan: plan, cache: run.cache, versionDirectory: run.versionDirectory, inputs: options.inputs, events: events, log: options.log)
        runner.keepsReplicateLogs = true
        let strategy = plan.strategy
        let inProcess = strategy.traits.runsStepsInProcess
        HookDispatcher.call(plan.hooks, event: CRYS_HOOK_BEFORE_RUN, info: hookInfo(plan), seed: plan.seed, log: options.log)
        if inProcess { try Lifecycle.setup(plan) }
        if strategy.traits.callsStepsConcurrently {
            for s in plan.allSteps where !s.function.threadSafe {
                options.log("note: step '\(s.name)' is not thread-safe; its calls are serialized under \(plan.execution.strategy) execution")
            }
        }
        let job = ExecutionJob(plan: plan, pending: run.pending, runner: runner, sink: run.collector, cancel: run.stop,
                               worker: WorkerLauncher(executable: WorkerLauncher.currentExecutable, requestPath: run.requestPath),
                               workDirectory: run.workDirectory, progress: { [name = plan.name] m in events.publish(.progress(experiment: name, message: m)) },
                               warn: options.log, events: events,
                               versionDirectory: run.versionDirectory, loopMode: options.loopMode)
        events.publish(.runStarted(RunStarted(plan: plan, version: run.version, pending: run.pending.conditionRuns, strategy: options.strategy)))
        var strategyError: Error? = nil
        var tally = RetryPolicy.Tally()
        if !run.pending.isEmpty {
            let policy = RetryPolicy(retries: options.overrides.retries ?? plan.retries, failFast: options.overrides.failFast)
            do { tally = try await policy.execute(strategy, job, collector: run.collector, stop: run.stop) } catch { strategyError = error }
        }
        if inProcess { Lifecycle.teardown(plan, log: options.log) }
        run.journal.sync()
        progress.finish()
        if let failure = JournalWriteFailure.check(run.journal, plan: plan) { throw failure }
        return Executed(strategyError: strategyError, tally: tally,
                        cancelled: options.cancel.isCancelled || options.loopMode == CRYS_LOOP_CANCEL)
    }

    /// What the `before_run` and `after_run` hooks are told about the run.
    static func hookInfo(_ plan: Plan) -> OrderedDictionary<String, Value> {
        ["experiment": .string(plan.name), "replicates": .int(Int64(plan.replicates)),
         "conditions": .list(plan.conditions.map { .string($0.name) })]
    }
}

/// Step setup and teardown, once per run in each process that runs steps.
enum Lifecycle {
    static func setup(_ plan: Plan) throws {
        for s in plan.allSteps { try s.function.lifecycle(setup: true, params: s.explicitParams, seed: plan.seed) }
    }
    static func teardown(_ plan: Plan, log: (String) -> Void) {
        for s in plan.allSteps {
            do { try s.function.lifecycle(setup: false, params: s.explicitParams, seed: plan.seed) } catch { log("warning: \(error)") }
        }
    }
}
