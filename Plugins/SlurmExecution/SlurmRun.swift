import Crystallize
import Foundation

/// One call of the `slurm` strategy: check, submit the pending replicates as one job array,
/// follow it with squeue, and hand every finished task's result (or failure) to the host as
/// soon as it is known, so the host checkpoints replicates while the array is still running.
struct SlurmRun {
    let settings: SlurmSettings
    let loop: ReplicateLoop
    let log: (String) -> Void

    /// How long a task that ended well may take to show its result file (shared filesystems
    /// such as NFS cache directory listings for several seconds).
    static let resultGrace: TimeInterval = 30
    /// How long squeue may keep failing before the run gives up on the controller.
    static let controllerPatience: TimeInterval = 300

    func run() throws {
        let replicates = loop.pending
        guard !replicates.isEmpty else { return }
        let commands = try Preflight.check()
        if loop.isCancelled { return }
        let parent = Files.absolute(settings.sharedDir.isEmpty ? loop.workDirectory : settings.sharedDir)
        let job = try Submission.submit(replicates: replicates, parent: parent, workerCommand: { loop.workerCommand(replicate: $0, resultPath: $1) },
                                        settings: settings, commands: commands)
        log("slurm: submitted array job \(job.jobID) with \(replicates.count) task(s); script, logs and results in \(job.directory)")
        var monitor = ArrayMonitor(job: job, commands: commands)
        var handled = Set<Int>()
        var firstSeenWithoutResult: [Int: Date] = [:]
        var failingSince: Date? = nil

        while handled.count < replicates.count {
            if loop.isCancelled { return cancel(job, commands: commands, monitor: &monitor, handled: &handled) }
            switch monitor.poll() {
            case .failure(let message):
                let since = failingSince ?? Date()
                failingSince = since
                if Date().timeIntervalSince(since) > Self.controllerPatience {
                    _ = commands.run("scancel", job.clusterArgs + [job.jobID], timeout: 60)
                    for i in 0..<replicates.count where !handled.contains(i) {
                        if !harvest(job, i) { loop.fail(replicates[i], "slurm task \(job.jobID)_\(i): lost contact with the Slurm controller for \(Int(Self.controllerPatience)) s (\(message)); the array was cancelled") }
                    }
                    return
                }
                loop.progress("slurm job \(job.jobID): squeue failed, retrying (\(message))")
            case .states(let states):
                failingSince = nil
                for (i, s) in states.sorted(by: { $0.key < $1.key }) where !handled.contains(i) && s.isFinished {
                    if harvest(job, i) { handled.insert(i); continue }
                    // A task that ended well wrote its result; give the filesystem time to show it.
                    let endedWell = s.signal == 0 && (s.state == "COMPLETED" || s.exitCode == 1)
                    let first = firstSeenWithoutResult[i] ?? Date()
                    firstSeenWithoutResult[i] = first
                    if endedWell && Date().timeIntervalSince(first) < Self.resultGrace { continue }
                    loop.fail(replicates[i], failureMessage(job, i, s, missingResult: endedWell))
                    handled.insert(i)
                }
                for i in monitor.vanished where !handled.contains(i) {
                    if !harvest(job, i) { loop.fail(replicates[i], "slurm task \(job.jobID)_\(i) is no longer known to Slurm (squeue and scontrol have forgotten it, e.g. after MinJobAge) and left no result file; log \(job.logPath(i))") }
                    handled.insert(i)
                }
                loop.progress(summary(job, states, handled: handled.count))
            }
            if handled.count < replicates.count { wait(settings.pollInterval) }
        }
    }

    /// Hands the result file of array task `i` to the host if it exists; true if it did.
    /// The worker writes the file atomically after its last condition, so a file that exists
    /// is complete whatever state Slurm reports for the task.
    func harvest(_ job: Submission, _ i: Int) -> Bool {
        let path = job.resultPath(job.replicates[i])
        guard FileManager.default.fileExists(atPath: path) else { return false }
        loop.submitResult(job.replicates[i], path: path)
        return true
    }

    /// Ctrl-C: cancel the array, wait briefly for its tasks to stop, then keep every result
    /// that was written so `--strategy resume` submits only what is really missing.
    func cancel(_ job: Submission, commands: Commands, monitor: inout ArrayMonitor, handled: inout Set<Int>) {
        loop.progress("slurm job \(job.jobID): cancelling")
        let r = commands.run("scancel", job.clusterArgs + [job.jobID], timeout: 60)
        if r.status != 0 { log("slurm: scancel \(job.jobID) failed (exit \(r.status)): \(Preflight.oneLine(r.diagnostic)); cancel it by hand") }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard case .states(let states) = monitor.poll() else { break }
            if states.values.allSatisfy(\.isFinished) { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        for i in 0..<job.replicates.count where !handled.contains(i) { if harvest(job, i) { handled.insert(i) } }
    }

    /// "slurm task 12_3 FAILED (exit code 3): <log tail>"; the replicate is named by the host.
    func failureMessage(_ job: Submission, _ i: Int, _ s: TaskState, missingResult: Bool) -> String {
        var m = "slurm task \(job.jobID)_\(i) \(s.state)"
        if !s.ending.isEmpty { m += " (\(s.ending))" }
        if missingResult { m += ", but its result file \(job.resultPath(job.replicates[i])) did not appear within \(Int(Self.resultGrace)) s" }
        let path = job.logPath(i)
        switch Files.tail(path) {
        case nil: m += "; no log at \(path) (the task never started)"
        case let lines? where lines.isEmpty: m += "; its log \(path) is empty"
        case let lines?: m += ": " + lines.joined(separator: "\n") + "\n(log: \(path))"
        }
        return m
    }

    /// The progress line: "slurm job 12: 3 pending, 2 running, 5/10 done".
    func summary(_ job: Submission, _ states: [Int: TaskState], handled: Int) -> String {
        let running = states.values.filter(\.isRunning).count
        let pending = states.values.filter { !$0.isFinished && !$0.isRunning }.count
        return "slurm job \(job.jobID): \(pending) pending, \(running) running, \(handled)/\(job.replicates.count) done"
    }

    /// Sleeps `seconds` in short slices so Ctrl-C is noticed quickly even with a long poll interval.
    func wait(_ seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        while !loop.isCancelled, Date() < end { Thread.sleep(forTimeInterval: min(0.1, max(0, end.timeIntervalSinceNow))) }
    }
}
