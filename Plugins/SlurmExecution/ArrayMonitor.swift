import Foundation

/// Asks Slurm for the state of every task of one array. Results are keyed on the array
/// index, never on per-task job ids, which Slurm assigns only when a task starts.
struct ArrayMonitor {
    /// What one poll saw.
    enum Poll {
        /// The latest known state of each task Slurm still reports.
        case states([Int: TaskState])
        /// squeue failed (controller busy or unreachable); the message says how.
        case failure(String)
    }

    /// The array followed.
    let job: Submission
    /// The Slurm client commands.
    let commands: Commands
    /// Latest state per array index, kept across polls.
    private(set) var known: [Int: TaskState] = [:]
    /// Indices Slurm no longer reports at all, after several polls in a row.
    private(set) var vanished: [Int] = []
    private var missingPolls: [Int: Int] = [:]

    init(job: Submission, commands: Commands) {
        self.job = job
        self.commands = commands
    }

    /// One squeue call (plus `scontrol show job` when squeue has lost some tasks).
    mutating func poll() -> Poll {
        let r = commands.run("squeue", job.clusterArgs + ["-h", "-r", "-t", "all", "-j", job.jobID, "-O", TaskStateParser.squeueFormat], timeout: 120)
        var seen: [Int: TaskState]
        if r.status == 0 {
            seen = TaskStateParser.parseSqueue(r.stdout, arrayJobID: job.jobID)
        } else if r.diagnostic.contains("Invalid job id") {
            seen = [:]  // the whole array has been purged; scontrol below is the last word
        } else {
            return .failure(r.timedOut ? "squeue gave no answer within 120 s" : "squeue exit \(r.status): \(Preflight.oneLine(r.diagnostic))")
        }
        let all = 0..<job.replicates.count
        if all.contains(where: { seen[$0] == nil }), commands.paths["scontrol"] != nil {
            let s = commands.run("scontrol", job.clusterArgs + ["-o", "show", "job", job.jobID], timeout: 120)
            if s.status == 0 { seen.merge(TaskStateParser.parseScontrol(s.stdout, arrayJobID: job.jobID)) { a, _ in a } }
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
