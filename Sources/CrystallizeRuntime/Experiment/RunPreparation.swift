import Foundation
import OrderedCollections

/// A run after its first stage: the version it writes, what an earlier attempt left there,
/// the open journal and the work still to do. Every later stage reads it; none changes it.
struct PreparedRun {
    /// The plan being run.
    let plan: Plan
    /// The experiment's folder under the data root.
    let store: RunStore
    /// The version written.
    let version: Int
    /// `store.versionDirectory(version)`.
    let versionDirectory: String
    /// Why resume ran again instead of loading (nil when it did not decide).
    let rerunReason: String?
    /// Outcomes an earlier attempt of this version already recorded.
    let recovered: [ConditionOutcome]
    /// When the run started, as metadata and provenance record it.
    let startedStamp: String
    /// The config folder's git state, recorded in metadata and provenance.
    let git: GitInfo?
    /// The step cache, when on.
    let cache: StepCache?
    /// The checkpoint journal of this version.
    let journal: CheckpointJournal
    /// Set on Ctrl-C and on a failed checkpoint write: strategies stop scheduling.
    let stop: CancellationFlag
    /// Receives every outcome: journal plus metric logs for aggregation.
    let collector: OutcomeCollector
    /// The (replicate, conditions) still to run.
    let pending: PendingWork
    /// `vN/.work`, for worker processes and strategies.
    let workDirectory: String
    /// The saved worker request (`vN/.work/request.json`).
    let requestPath: String
}

/// The first stage of a run: decides what resume does, lays out the version folder, writes
/// metadata.json as running, opens the journal, recovers what it holds and lists the pending
/// work; or, when resume finds the run complete and unchanged, loads it.
enum RunPreparation {
    /// What preparing found.
    enum Outcome {
        /// Resume loaded a complete, unchanged version: nothing to run.
        case loaded(RunResult)
        /// A version ready to execute.
        case ready(PreparedRun)
    }

    /// Prepares `plan` for a run with `options`.
    static func prepare(_ plan: Plan, options: RunOptions, started: Date) throws -> Outcome {
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
                return .loaded(try loadCompleted(plan, store: store, version: v, started: started, log: options.log))
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
        let pending = pendingWork(plan, collector: collector, recovered: !recovered.isEmpty)

        let workDir = store.workDirectory(version)
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        let request = RunRequest(target: options.target, overrides: options.overrides, versionDirectory: vdir, cacheDirectory: cacheDir,
                                 workingDirectory: FileManager.default.currentDirectoryPath, forwardEvents: options.events.isActive)
        let requestPath = "\(workDir)/request.json"
        try request.save(requestPath)
        return .ready(PreparedRun(plan: plan, store: store, version: version, versionDirectory: vdir, rerunReason: rerunReason,
                                  recovered: recovered, startedStamp: startedStamp, git: git, cache: cache,
                                  journal: journal, stop: stop, collector: collector, pending: pending, workDirectory: workDir,
                                  requestPath: requestPath))
    }

    /// Every (replicate, condition) the collector holds no outcome for.
    static func pendingWork(_ plan: Plan, collector: OutcomeCollector, recovered: Bool) -> PendingWork {
        guard recovered else { return PendingWork(every: plan.replicates, conditions: plan.conditions) }
        var items: [PendingWork.Element] = []
        for r in 0..<plan.replicates {
            let missing = plan.conditions.filter { !collector.hasOutcome(r, $0.name) }
            if !missing.isEmpty { items.append((r, missing)) }
        }
        return PendingWork(items)
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

    /// A stored complete version's result, its hypotheses evaluated again from results.json.
    static func loadCompleted(_ plan: Plan, store: RunStore, version v: Int, started: Date, log: (String) -> Void) throws -> RunResult {
        var metrics = OrderedDictionary<String, OrderedDictionary<String, [Value]>>()
        for c in plan.conditions { metrics[c.name] = try store.readResults(v, c.name) }
        let hypotheses = HypothesisEvaluator.evaluate(plan.hypotheses, metrics: RunAggregation.fromStored(metrics, replicates: plan.replicates),
                                                      treatments: plan.conditions.dropFirst().map(\.name), seed: plan.seed, warn: log)
        return RunResult(experiment: plan.name, version: v, versionDirectory: store.versionDirectory(v), replicates: plan.replicates,
                         conditions: plan.conditions.map(\.name), metrics: metrics, failures: [], hypotheses: hypotheses,
                         loadedFromDisk: true, rerunReason: nil, executedConditions: 0, cacheHits: 0, cacheMisses: 0,
                         cancelled: false, elapsed: Date().timeIntervalSince(started))
    }
}
