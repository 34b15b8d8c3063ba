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

/// Runs a planned experiment end to end: resume decision, version folder, metadata,
/// execution with per-replicate checkpoints, aggregation, results, provenance, hypotheses.
public enum ExperimentRunner {
    /// Runs `plan`. Throws only for problems that stop the run as a whole (storage, strategy).
    public static func run(_ plan: Plan, options: RunOptions) async throws -> RunResult {
        let started = Date()
        // Before any plugin code beyond the entry points: hooks, strategies and verifiers too.
        try PluginState.start(plan.registry.plugins)
        let store = RunStore(dataRoot: plan.dataRoot, experiment: plan.name)
        var version: Int
        var recovered: [ConditionOutcome] = []
        var rerunReason: String? = nil
        try DetachAction.check(plan, mode: options.loopMode)
        if let v = options.attachVersion {
            version = v
            recovered = try DetachAction.recovered(plan, store: store, version: v, log: options.log)
        } else if options.strategy == .resume {
            switch try ResumeDecision.decide(plan: plan, store: store, upstream: options.upstream) {
            case .load(let v):
                let result = try loadCompleted(plan, store: store, version: v, started: started, log: options.log)
                options.events.publish(.runStarted(RunStarted(plan: plan, version: v, pending: 0, strategy: options.strategy)))
                options.events.publish(.runFinished(experiment: plan.name, version: v, status: RunStatus.complete.provenanceWord, durationS: result.elapsed))
                return result
            case .continueRun(let v):
                version = v
                let (outcomes, damaged) = try JournalFormats.readVersion(store.versionDirectory(v))
                if damaged > 0 { options.log("warning: skipped \(damaged) damaged checkpoint region(s) in \(store.journalPath(v)); replicates recorded there run again") }
                recovered = outcomes.filter { o in o.failure == nil && o.replicate < plan.replicates && plan.conditions.contains(where: { $0.name == o.condition }) }
            case .rerun(let reason):
                rerunReason = reason
                version = try prepareFreshVersion(plan, store: store)
            }
        } else {
            version = try prepareFreshVersion(plan, store: store)
        }
        let vdir = store.versionDirectory(version)
        let startedStamp = HostInfo.now()
        let git = GitInfo.read(directory: (plan.configPath as NSString).deletingLastPathComponent, excluding: [plan.dataRoot, StepCache.defaultDirectory(base: FileManager.default.currentDirectoryPath)])
        try AtomicFile.write(store.metadataPath(version), text: JSONText.encode(
            RunMetadata.build(plan: plan, version: version, status: RunStatus.running.metadataWord, upstream: options.upstream, started: startedStamp, finished: nil, git: git), indent: 2))

        let cacheDir = plan.cacheEnabled ? StepCache.defaultDirectory(base: FileManager.default.currentDirectoryPath) : nil
        let cache = cacheDir.map { StepCache(directory: $0, warn: options.log) }
        let journal = try CheckpointJournal(path: store.journalPath(version))
        // Strategies stop scheduling on Ctrl-C and, as well, on a failed checkpoint write.
        let stop = CancellationFlag()
        options.cancel.onCancel { stop.cancel() }
        journal.onWriteFailure = { stop.cancel() }
        let collector = OutcomeCollector(journal: journal, conditions: plan.conditions.map(\.name), replicates: plan.replicates)
        collector.preload(recovered)
        // The progress line is one more subscriber, for this experiment of the session only.
        let events = options.events
        let progress = ProgressReporter(label: plan.name, total: plan.replicates, conditions: plan.conditions.count, enabled: options.showProgress)
        if options.showProgress {
            for o in recovered { progress.preload(replicate: o.replicate, condition: o.condition) }
            events.subscribe(progress)
        }
        defer { if options.showProgress { events.unsubscribe(progress) } }

        let pending: PendingWork
        if recovered.isEmpty {
            pending = PendingWork(every: plan.replicates, conditions: plan.conditions)
        } else {
            var items: [PendingWork.Element] = []
            for r in 0..<plan.replicates {
                let missing = plan.conditions.filter { !collector.hasOutcome(r, $0.name) }
                if !missing.isEmpty { items.append((r, missing)) }
            }
            pending = PendingWork(items)
        }
        let workDir = store.workDirectory(version)
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        let request = RunRequest(target: options.target, overrides: options.overrides, versionDirectory: vdir, cacheDirectory: cacheDir,
                                 workingDirectory: FileManager.default.currentDirectoryPath, forwardEvents: events.isActive)
        let requestPath = "\(workDir)/request.json"
        try request.save(requestPath)

        let runner = ReplicateRunner(plan: plan, cache: cache, versionDirectory: vdir, inputs: options.inputs, events: events, log: options.log)
        runner.keepsReplicateLogs = true
        let strategy = try ExecutionStrategies.make(plan.execution, registry: plan.registry)
        let inProcess = strategy.traits.runsStepsInProcess
        let hookInfo: OrderedDictionary<String, Value> = ["experiment": .string(plan.name), "replicates": .int(Int64(plan.replicates)),
                                                          "conditions": .list(plan.conditions.map { .string($0.name) })]
        HookDispatcher.call(plan.hooks, event: CRYS_HOOK_BEFORE_RUN, info: hookInfo, seed: plan.seed, log: options.log)
        if inProcess { try Lifecycle.setup(plan) }
        if strategy.traits.callsStepsConcurrently {
            for s in plan.allSteps where !s.function.threadSafe {
                options.log("note: step '\(s.name)' is not thread-safe; its calls are serialized under \(plan.execution.strategy) execution")
            }
        }
        let job = ExecutionJob(plan: plan, pending: pending, runner: runner, sink: collector, cancel: stop,
                               worker: WorkerLauncher(executable: WorkerLauncher.currentExecutable, requestPath: requestPath),
                               workDirectory: workDir, progress: { [name = plan.name] m in events.publish(.progress(experiment: name, message: m)) },
                               warn: options.log, events: events,
                               versionDirectory: vdir, loopMode: options.loopMode)
        events.publish(.runStarted(RunStarted(plan: plan, version: version, pending: pending.conditionRuns, strategy: options.strategy)))
        var strategyError: Error? = nil
        var tally = RetryPolicy.Tally()
        if !pending.isEmpty {
            let policy = RetryPolicy(retries: options.overrides.retries ?? plan.retries, failFast: options.overrides.failFast)
            do { tally = try await policy.execute(strategy, job, collector: collector, stop: stop) } catch { strategyError = error }
        }
        if inProcess { Lifecycle.teardown(plan, log: options.log) }
        journal.sync()
        progress.finish()
        if let failure = JournalWriteFailure.check(journal, plan: plan) { throw failure }
        if options.loopMode == CRYS_LOOP_DETACH, strategyError == nil {
            return try DetachAction.finishDetached(plan, store: store, version: version, started: startedStamp, upstream: options.upstream, git: git,
                                                   events: events, elapsed: Date().timeIntervalSince(started))
        }

        let cancelled = options.cancel.isCancelled || options.loopMode == CRYS_LOOP_CANCEL
        var metrics = OrderedDictionary<String, OrderedDictionary<String, [Value]>>()
        // Replicate by replicate, for paired verifiers; only kept when there are hypotheses.
        var byReplicate = OrderedDictionary<String, ConditionMetrics>()
        let keepReplicates = !plan.hypotheses.isEmpty
        var failures: [ConditionOutcome] = []
        var allComplete = true
        for c in plan.conditions {
            var m = OrderedDictionary<String, [Value]>()
            var replicates = [OrderedDictionary<String, [Double]>?](repeating: nil, count: keepReplicates ? plan.replicates : 0)
            var errors: [ConditionOutcome] = []
            var complete = true
            let column = collector.results(of: c.name)
            for r in 0..<plan.replicates {
                guard r < column.logs.count, let log = column.logs[column.logs.startIndex + r] else { complete = false; continue }
                if let failure = column.failed[r] { errors.append(failure); complete = false; continue }
                Self.append(log, to: &m)
                if keepReplicates { replicates[r] = Self.numericByName(log) }
            }
            metrics[c.name] = m
            if keepReplicates { byReplicate[c.name] = ConditionMetrics(replicates: replicates) }
            failures += errors
            allComplete = allComplete && complete
            try ResultsWriteFailure.guarding(journal, plan: plan, path: "\(store.versionDirectory(version))/\(c.name)/results.json") {
                try store.writeResults(version, c.name, metrics: m, errors: errors, complete: complete)
            }
        }
        try ResultsWriteFailure.guarding(journal, plan: plan, path: store.versionDirectory(version)) { try store.writeManifest(version) }
        var hypotheses: [HypothesisOutcome] = []
        if !plan.hypotheses.isEmpty && (allComplete || !failures.isEmpty) {
            hypotheses = HypothesisEvaluator.evaluate(plan.hypotheses, metrics: byReplicate, treatments: plan.conditions.dropFirst().map(\.name),
                                                      seed: plan.seed, warn: options.log)
        }
        let status = strategyError == nil ? RunStatus(allComplete: allComplete, cancelled: cancelled) : .failed
        try ResultsWriteFailure.guarding(journal, plan: plan, path: store.versionDirectory(version)) {
            try ProvenanceWriter.write(plan: plan, store: store, version: version, started: startedStamp,
                                       outcome: status.provenanceWord, hypotheses: hypotheses, cache: cache, git: git)
            try AtomicFile.write(store.metadataPath(version), text: JSONText.encode(
                RunMetadata.build(plan: plan, version: version, status: status.metadataWord,
                                  upstream: options.upstream, started: startedStamp, finished: HostInfo.now(), git: git), indent: 2))
        }
        HookDispatcher.call(plan.hooks, event: CRYS_HOOK_AFTER_RUN, info: hookInfo.merging(["outcome": .string(status.hookWord), "failures": .int(Int64(failures.count))]) { $1 }, seed: plan.seed, log: options.log)
        if plan.retention.versioned { Retention.prune(store: store, keep: plan.retention.keep, largeFileBytes: plan.retention.largeFileBytes, current: version, log: options.log) }
        events.publish(.runFinished(experiment: plan.name, version: version, status: status.provenanceWord, durationS: Date().timeIntervalSince(started)))
        if let strategyError { throw strategyError }
        let counts = cache?.counts ?? (0, 0)
        var result = RunResult(experiment: plan.name, version: version, versionDirectory: store.versionDirectory(version), replicates: plan.replicates,
                         conditions: plan.conditions.map(\.name), metrics: metrics, failures: failures.sorted { ($0.replicate, $0.condition) < ($1.replicate, $1.condition) },
                         hypotheses: hypotheses, loadedFromDisk: false, rerunReason: rerunReason,
                         executedConditions: pending.conditionRuns, cacheHits: counts.0, cacheMisses: counts.1,
                         cancelled: cancelled, elapsed: Date().timeIntervalSince(started))
        result.retried = tally.retried
        result.status = status
        result.stoppedByFailFast = tally.stoppedByFailFast
        return result
    }

    /// Appends one outcome's metric values to the condition's lists. Outcomes record the same
    /// metrics in the same order, so the list at the value's position is tried before a lookup.
    static func append(_ log: [RecordedMetric], to m: inout OrderedDictionary<String, [Value]>) {
        for (i, v) in log.enumerated() {
            if i < m.count, m.keys[i] == v.name { m.values[i].append(v.value) } else { m[v.name, default: []].append(v.value) }
        }
    }

    /// Numeric metric values by condition, pooled over replicates.
    static func numeric(_ m: OrderedDictionary<String, OrderedDictionary<String, [Value]>>) -> OrderedDictionary<String, OrderedDictionary<String, [Double]>> {
        m.mapValues { $0.mapValues { $0.compactMap(\.asDouble) } }
    }

    /// One outcome's numeric metric values by name, in recording order.
    static func numericByName(_ log: [RecordedMetric]) -> OrderedDictionary<String, [Double]> {
        var out = OrderedDictionary<String, [Double]>()
        for v in log { if let d = v.value.asDouble { out[v.name, default: []].append(d) } }
        return out
    }

    /// A stored complete run's metrics, split back into replicates for the verifiers.
    static func fromStored(_ m: OrderedDictionary<String, OrderedDictionary<String, [Value]>>, replicates: Int) -> OrderedDictionary<String, ConditionMetrics> {
        m.mapValues { ConditionMetrics(pooled: $0.mapValues { $0.compactMap(\.asDouble) }, replicateCount: replicates) }
    }

    /// A fresh version folder: v0 replaced when unversioned, the next number when versioned.
    static func prepareFreshVersion(_ plan: Plan, store: RunStore) throws -> Int {
        let versions = store.versions()
        let v = plan.retention.versioned ? (versions.last.map { $0 + 1 } ?? 0) : 0
        let dir = store.versionDirectory(v)
        if FileManager.default.fileExists(atPath: dir) {
            // Move the old run aside first so a crash mid-delete never leaves a half-old folder.
            let trash = "\(store.experimentDirectory)/.trash-v\(v)-\(getpid())"
            try FileManager.default.moveItem(atPath: dir, toPath: trash)
            try? FileManager.default.removeItem(atPath: trash)
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return v
    }

    static func loadCompleted(_ plan: Plan, store: RunStore, version v: Int, started: Date, log: (String) -> Void) throws -> RunResult {
        var metrics = OrderedDictionary<String, OrderedDictionary<String, [Value]>>()
        for c in plan.conditions { metrics[c.name] = try store.readResults(v, c.name) }
        let hypotheses = HypothesisEvaluator.evaluate(plan.hypotheses, metrics: fromStored(metrics, replicates: plan.replicates),
                                                      treatments: plan.conditions.dropFirst().map(\.name), seed: plan.seed, warn: log)
        return RunResult(experiment: plan.name, version: v, versionDirectory: store.versionDirectory(v), replicates: plan.replicates,
                         conditions: plan.conditions.map(\.name), metrics: metrics, failures: [], hypotheses: hypotheses,
                         loadedFromDisk: true, rerunReason: nil, executedConditions: 0, cacheHits: 0, cacheMisses: 0,
                         cancelled: false, elapsed: Date().timeIntervalSince(started))
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
