import CCrystallize
import Foundation

/// The runs a cluster strategy is (or was) running without a host following them: found
/// from metadata.json ("detached", or "running" when the host that followed was killed), and
/// rebuilt from the request the host saved in the run's work folder, so `status`, `attach`
/// and `cancel` need no command-line flags beyond the experiment.
public enum DetachedRuns {
    /// One such run.
    public struct Entry {
        /// The experiment's name.
        public let experiment: String
        /// Its version.
        public let version: Int
        /// "detached" or "running".
        public let status: String
        /// The version folder.
        public let versionDirectory: String
        /// The request the submitting host saved (config, plugins, overrides).
        public let request: RunRequest
    }

    /// Every detached or running run under `dataRoot` (of `experiment` only, when given).
    public static func list(experiment: String?, dataRoot: String) throws -> [Entry] {
        var names: [String]
        if let experiment {
            names = [try RunViewer.locate(experiment: experiment, dataRoot: dataRoot, version: nil).name]
        } else {
            names = ((try? FileManager.default.contentsOfDirectory(atPath: dataRoot)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        }
        var out: [Entry] = []
        for name in names {
            let store = RunStore(dataRoot: dataRoot, experiment: name)
            for v in store.versions(withStatus: [RunStatus.detached.metadataWord, RunStatus.running.metadataWord]) {
                guard let meta = try? store.readMetadata(v), case .string(let status)? = meta["status"],
                      let request = try? RunRequest.load("\(store.workDirectory(v))/request.json") else { continue }
                out.append(Entry(experiment: name, version: v, status: status, versionDirectory: store.versionDirectory(v), request: request))
            }
        }
        return out
    }

    /// The one run `attach` or `cancel` acts on: the latest detached or running version of `experiment`.
    public static func latest(experiment: String, dataRoot: String) throws -> Entry {
        guard let e = try list(experiment: experiment, dataRoot: dataRoot).last else {
            throw StoreError("no detached or running run of '\(experiment)' under \(dataRoot) (metadata.json of every version says it finished; `show \(experiment)` prints it)")
        }
        return e
    }

    /// What `status` prints for one run: replicates done and failed (from the run's
    /// checkpoints and the result files the strategy hands back) and the strategy's own lines
    /// (scheduler state from squeue). Nothing is submitted, cancelled or written.
    public static func status(_ e: Entry) async throws -> (done: Int, failed: Int, pending: Int, total: Int, lines: [String]) {
        let plan = try ExperimentGraph.resolvedPlan(target: e.request.target, registry: PluginRegistry(), overrides: e.request.overrides)
        let (outcomes, _) = try JournalFormats.readVersion(e.versionDirectory)
        let counter = StatusCounter(conditions: plan.conditions.count)
        for o in outcomes where o.replicate < plan.replicates { counter.accept(o) }
        let journaled = counter.finishedReplicates
        let pending = PendingWork((0..<plan.replicates).filter { !journaled.contains($0) }.map { ($0, plan.conditions) })
        var lines: [String] = []
        let lock = NSLock()
        let collect: (String) -> Void = { m in lock.lock(); lines.append(m); lock.unlock() }
        let strategy = plan.strategy
        if !pending.isEmpty, strategy.traits.followsLoopModes {
            let runner = ReplicateRunner(plan: plan, cache: nil, versionDirectory: e.versionDirectory, log: collect)
            var job = ExecutionJob(plan: plan, pending: pending, runner: runner, sink: counter, cancel: CancellationFlag(),
                                   worker: WorkerLauncher(executable: WorkerLauncher.currentExecutable, requestPath: "\(RunStore.workDirectory(versionDirectory: e.versionDirectory))/request.json"),
                                   workDirectory: RunStore.workDirectory(versionDirectory: e.versionDirectory), progress: collect, warn: collect, events: RunEventBus())
            job.versionDirectory = e.versionDirectory
            job.loopMode = CRYS_LOOP_STATUS
            try await strategy.execute(job)
        }
        let (done, failed) = counter.counts
        return (done, failed, plan.replicates - done - failed, plan.replicates, lines)
    }
}

/// Counts replicates whose every condition came back, and those with a failure, without storing anything.
final class StatusCounter: OutcomeSink {
    private let lock = NSLock()
    private let conditions: Int
    private var seen: [Int: (ok: Int, failed: Bool)] = [:]
    init(conditions: Int) { self.conditions = conditions }
    func accept(_ outcome: consuming ConditionOutcome) {
        lock.lock(); defer { lock.unlock() }
        var s = seen[outcome.replicate] ?? (0, false)
        if outcome.failure != nil { s.failed = true } else { s.ok += 1 }
        seen[outcome.replicate] = s
    }
    /// Replicates with every condition finished (well or not).
    var finishedReplicates: Set<Int> {
        lock.lock(); defer { lock.unlock() }
        return Set(seen.filter { $0.value.failed || $0.value.ok >= conditions }.keys)
    }
    /// (done, failed) replicates.
    var counts: (Int, Int) {
        lock.lock(); defer { lock.unlock() }
        return (seen.values.filter { !$0.failed && $0.ok >= conditions }.count, seen.values.filter(\.failed).count)
    }
}
