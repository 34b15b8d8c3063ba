import Foundation

/// A run into an experiment folder whose detached cluster run has not been collected yet.
///
/// The run lock guards a folder while a host holds it; a `--detach` host exits once its tasks
/// are submitted, so the lock goes with it while the tasks still write result files into the
/// version's work folder. Until `attach` collects the run (or `cancel` stops it), a new run,
/// resume or second submission into that folder is refused, so two runs never mix there.
public struct DetachedRunPending: Error, CustomStringConvertible {
    /// The experiment.
    public var experiment: String
    /// The detached version.
    public var versionDirectory: String
    /// The message.
    public var description: String {
        "\(versionDirectory) is a detached cluster run not collected yet (its tasks may still be running): " +
            "`crystallize-host attach \(experiment)` follows it to its end and writes its results, " +
            "`crystallize-host cancel \(experiment)` stops it; run again after either"
    }

    /// Throws for the first of `plans` whose experiment folder holds a detached version.
    static func check(_ plans: [Plan]) throws {
        for plan in plans {
            let store = RunStore(dataRoot: plan.dataRoot, experiment: plan.name)
            if let v = store.versions(withStatus: [RunStatus.detached.metadataWord]).last {
                throw DetachedRunPending(experiment: plan.name, versionDirectory: store.versionDirectory(v))
            }
        }
    }
}
