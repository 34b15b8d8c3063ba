import CCrystallize
import Foundation
import OrderedCollections

/// A run that outlives the host process that submitted it: `run --detach` submits the
/// pending replicates through a cluster strategy and returns; `attach` follows that version
/// and finishes it exactly as a foreground run would; `cancel` stops it, keeping what finished.
public struct DetachAction {
    /// What the strategy is asked to do (CRYS_LOOP_DETACH, CRYS_LOOP_RUN, CRYS_LOOP_CANCEL).
    public let loopMode: Int32
    /// The version followed or cancelled; nil when submitting a new run.
    public let version: Int?

    /// `run --detach`.
    public static let submit = DetachAction(loopMode: CRYS_LOOP_DETACH, version: nil)
    /// `attach`: follow version `v` to its end.
    public static func attach(_ v: Int) -> DetachAction { DetachAction(loopMode: CRYS_LOOP_RUN, version: v) }
    /// `cancel`: cancel version `v`'s submissions and finish it with what is done.
    public static func cancel(_ v: Int) -> DetachAction { DetachAction(loopMode: CRYS_LOOP_CANCEL, version: v) }

    /// A strategy whose replicates run in this process's lifetime leaves nothing to detach
    /// from, look at or cancel (its traits say whether it follows loop modes).
    static func check(_ plan: Plan, mode: Int32) throws {
        guard mode != CRYS_LOOP_RUN else { return }
        guard !plan.strategy.traits.followsLoopModes else { return }
        let what = mode == CRYS_LOOP_DETACH ? "--detach" : (mode == CRYS_LOOP_CANCEL ? "cancel" : "status")
        throw PluginError(message: "\(what) needs a cluster execution strategy (e.g. --execution slurm); '\(plan.execution.strategy)' runs replicates inside this process")
    }

    /// The outcomes version `v` already holds, to continue it (attach, cancel).
    static func recovered(_ plan: Plan, store: RunStore, version v: Int, log: (String) -> Void) throws -> [ConditionOutcome] {
        guard FileManager.default.fileExists(atPath: store.versionDirectory(v)) else { throw StoreError("\(store.versionDirectory(v)) does not exist") }
        let (outcomes, damaged) = try JournalFormats.readVersion(store.versionDirectory(v))
        if damaged > 0 { log("warning: skipped \(damaged) damaged checkpoint region(s) in \(store.journalPath(v)); replicates recorded there are collected again") }
        return outcomes.filter { o in o.failure == nil && o.replicate < plan.replicates && plan.conditions.contains(where: { $0.name == o.condition }) }
    }

    /// After the strategy submitted and returned: metadata says "detached"; results are
    /// written by whoever attaches.
    static func finishDetached(_ plan: Plan, store: RunStore, version: Int, started: String, upstream: OrderedDictionary<String, Value>,
                               git: GitInfo?, events: RunEventBus, elapsed: Double) throws -> RunResult {
        try AtomicFile.write(store.metadataPath(version), text: JSONText.encode(
            RunMetadata.build(plan: plan, version: version, status: RunStatus.detached.metadataWord, upstream: upstream, started: started, finished: nil, git: git), indent: 2))
        events.publish(.runFinished(experiment: plan.name, version: version, status: RunStatus.detached.provenanceWord, durationS: elapsed))
        var result = RunResult(experiment: plan.name, version: version, versionDirectory: store.versionDirectory(version), replicates: plan.replicates,
                               conditions: plan.conditions.map(\.name), metrics: [:], failures: [], hypotheses: [], loadedFromDisk: false, rerunReason: nil,
                               executedConditions: 0, cacheHits: 0, cacheMisses: 0, cancelled: false, elapsed: elapsed)
        result.status = .detached
        return result
    }

    /// The lines `run --detach` prints: where the run is and how to follow it.
    public static func instructions(_ r: RunResult, dataRoot: String) -> String {
        let data = dataRoot == "data" ? "" : " --data-dir \(dataRoot)"
        return """
        \(r.experiment) — v\(r.version) detached: submitted to the cluster; this process may exit.
          status:  crystallize-host status \(r.experiment)\(data)
          follow:  crystallize-host attach \(r.experiment)\(data)    (collects and writes the results when the tasks end)
          cancel:  crystallize-host cancel \(r.experiment)\(data)    (keeps what finished)
          folder:  \(r.versionDirectory)
        """
    }
}
