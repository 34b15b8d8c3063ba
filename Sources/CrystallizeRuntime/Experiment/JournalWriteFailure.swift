import Foundation

/// A run stopped because its checkpoint journal could not be written (disk full, I/O error,
/// read-only filesystem): nothing after the failure is on disk, so scheduling stopped at once.
/// The message says how many replicates are safe and how to continue.
public struct JournalWriteFailure: Error, CustomStringConvertible {
    /// The journal that failed.
    public var journalPath: String
    /// The failed call and its reason, e.g. "write: No space left on device".
    public var cause: String
    /// Replicates whose every condition is recorded in the journal.
    public var safeReplicates: Int
    /// Replicates of the run.
    public var replicates: Int

    /// The message.
    public var description: String {
        "cannot write the checkpoint journal \(journalPath) (\(cause)); stopped scheduling replicates. " +
            "\(safeReplicates) of \(replicates) replicate(s) are safe on disk. Fix the cause (e.g. free space), then run again " +
            "with --strategy resume to continue from them"
    }

    /// The failure of `journal`, counting what its file holds now: a replicate is safe when
    /// every condition of it succeeded and is in the file.
    static func check(_ journal: CheckpointJournal, plan: Plan) -> JournalWriteFailure? {
        guard let cause = journal.writeFailure else { return nil }
        return JournalWriteFailure(journalPath: journal.path, cause: cause, safeReplicates: safeReplicates(in: journal, plan: plan),
                                   replicates: plan.replicates)
    }

    /// Replicates of `plan` whose every condition succeeded and is in `journal`'s file.
    static func safeReplicates(in journal: CheckpointJournal, plan: Plan) -> Int {
        let conditions = Set(plan.conditions.map(\.name))
        var done: [Int: Set<String>] = [:]
        for o in CheckpointJournal.read(journal.path).outcomes where o.failure == nil && conditions.contains(o.condition) && o.replicate < plan.replicates {
            done[o.replicate, default: []].insert(o.condition)
        }
        return done.values.filter { $0.count == conditions.count }.count
    }
}
