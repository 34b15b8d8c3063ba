import Foundation

/// A run whose replicates all finished but whose results, provenance or metadata could not be
/// written (disk full, I/O error): the journal still holds every safe replicate, so the message
/// says how many and that `--strategy resume` writes the rest once the cause is fixed.
public struct ResultsWriteFailure: Error, CustomStringConvertible {
    /// The underlying error, naming the file.
    public var cause: String
    /// Replicates whose every condition is in the journal.
    public var safeReplicates: Int
    /// Replicates of the run.
    public var replicates: Int

    /// Environment switch for tests where no filesystem can be filled: the final writes fail
    /// as if the disk were full.
    public static let faultSwitch = "CRYSTALLIZE_FAULT_RESULTS_WRITE"

    /// The message.
    public var description: String {
        "\(cause); stopped before the run's results were complete on disk. \(safeReplicates) of \(replicates) replicate(s) are safe " +
            "in the checkpoint journal. Fix the cause (e.g. free space), then run again with --strategy resume to write the results"
    }

    /// Runs one of the run's final writes; a failure becomes a `ResultsWriteFailure`.
    static func guarding<T>(_ journal: CheckpointJournal, plan: Plan, path: String, _ write: () throws -> T) throws -> T {
        do {
            if ProcessInfo.processInfo.environment[faultSwitch] != nil { throw StoreError("cannot write \(path): No space left on device") }
            return try write()
        } catch {
            let safe = JournalWriteFailure.safeReplicates(in: journal, plan: plan)
            throw ResultsWriteFailure(cause: "\(error)", safeReplicates: safe, replicates: plan.replicates)
        }
    }
}
