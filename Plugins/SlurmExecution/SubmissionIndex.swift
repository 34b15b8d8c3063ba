import Foundation

/// The submissions of one run, listed in the run's work folder (`slurm.submissions`, one
/// folder per line), so a later call of the strategy — `attach`, `status`, `cancel`,
/// `--strategy resume` — finds them even when they live under `shared_dir`.
struct SubmissionIndex {
    /// The run's work folder.
    let workDirectory: String
    var path: String { "\(workDirectory)/slurm.submissions" }

    /// Every submission with a readable record, oldest first.
    func load() -> [Submission] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isNewline).map(String.init).compactMap(Submission.load)
    }

    /// Adds `directory` to the list (atomically: a reader sees the old or the new list).
    func add(_ directory: String) throws {
        let old = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        try Files.writeAtomically(path, old + directory + "\n")
    }
}
