import Foundation

/// Asks Slurm for the state of every task of one submission (all its arrays, in one squeue
/// call). Results are keyed on the submission-wide task index, never on per-task job ids,
/// which Slurm assigns only when a task starts.
struct ArrayMonitor {
    /// What one poll saw.
    enum Poll {
        /// The latest known state of each task Slurm still reports.
        case states([Int: TaskState])
        /// squeue failed (controller busy or unreachable); the message says how.
        case failure(String)
    }

    /// The submission followed.
    let job: Submission
    /// The Slurm client commands.
    let commands: Commands
    /// Latest state per task, kept across polls.
    private(set) var known: [Int: TaskState] = [:]
    /// Tasks Slurm no longer reports at all, after several polls in a row.
    private(set) var vanished: [Int] = []
    private var missingPolls: [Int: Int] = [:]

    init(job: Submission, commands: Commands) {
        self.job = job
        self.commands = commands
    }

    /// Forgets what was known of `task` (after it was requeued or resubmitted).
    mutating func forget(_ task: Int) { known[task] = nil; missingPolls[task] = nil }

    /// One squeue call (plus `scontrol show job` when squeue has lost some tasks).
    mutating func poll() -> Poll {
        let ids = job.jobIDs
        guard !ids.isEmpty else { return .states(known) }
        let r = commands.run("squeue", job.clusterArgs + ["-h", "-r", "-t", "all", "-j", ids.joined(separator: ","), "-O", TaskStateParser.squeueFormat], timeout: 120)
        var seen: [Int: TaskState] = [:]
        if r.status == 0 {
            for part in job.record.arrays {
                for (i, s) in TaskStateParser.parseSqueue(r.stdout, arrayJobID: part.jobID) where i < part.count { seen[part.first + i] = s }
            }
        } else if !r.diagnostic.contains("Invalid job id") {
            return .failure(r.timedOut ? "squeue gave no answer within 120 s" : "squeue \(r.ending): \(Preflight.oneLine(r.diagnostic))")
        }  // "Invalid job id": every array has been purged; scontrol below is the last word
        let all = 0..<job.record.batches.count
        if all.contains(where: { seen[$0] == nil }), commands.paths["scontrol"] != nil {
            for part in job.record.arrays where (part.first..<(part.first + part.count)).contains(where: { seen[$0] == nil }) {
                let s = commands.run("scontrol", job.clusterArgs + ["-o", "show", "job", part.jobID], timeout: 120)
                guard s.status == 0 else { continue }
                for (i, st) in TaskStateParser.parseScontrol(s.stdout, arrayJobID: part.jobID) where i < part.count && seen[part.first + i] == nil {
                    seen[part.first + i] = st
                }
            }
        }
        for (i, s) in seen { known[i] = s; missingPolls[i] = nil }
        vanished = []
        for i in all where seen[i] == nil && known[i]?.isFinished != true {
            missingPolls[i, default: 0] += 1
            if missingPolls[i]! >= 3 { vanished.append(i) }
        }
        return .states(known)
    }
}
