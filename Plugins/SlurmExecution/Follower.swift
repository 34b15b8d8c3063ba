import Crystallize
import Foundation

/// Follows one submission for one call of the strategy: hands each replicate's result to the
/// host as soon as its file appears, requeues tasks that were preempted, lost their node or hit
/// their time limit (only their unfinished replicates run again), resubmits replicates a
/// crashed task never reached, and keeps every attempt's log with the run.
final class Follower {
    let job: Submission
    /// The replicates of this submission the host still wants.
    let tracked: Set<Int>
    var monitor: ArrayMonitor
    /// Tasks whose every tracked replicate is reported.
    private(set) var handled = Set<Int>()
    private var firstSeenWithoutResult: [Int: Date] = [:]
    private(set) var lastStates: [Int: TaskState] = [:]

    /// How long a task that ended well may take to show its result file (shared filesystems
    /// such as NFS cache directory listings for several seconds).
    static let resultGrace: TimeInterval = 30
    /// States after which a task's unfinished replicates are worth running again.
    static let requeueable: Set<String> = ["PREEMPTED", "NODE_FAIL", "TIMEOUT", "BOOT_FAIL", "CANCELLED"]

    init(job: Submission, tracked: Set<Int>, commands: Commands) {
        self.job = job
        self.tracked = tracked
        monitor = ArrayMonitor(job: job, commands: commands)
    }

    /// Tasks holding a tracked replicate.
    var tasks: [Int] { job.record.batches.indices.filter { job.record.batches[$0].contains(where: tracked.contains) } }

    /// Hands every result file that exists to the host; returns how many were new.
    @discardableResult
    func harvest(_ loop: ReplicateLoop, _ reported: inout Set<Int>) -> Int {
        var n = 0
        for r in tracked.sorted() where !reported.contains(r) {
            let path = job.resultPath(r)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            loop.submitResult(r, path: path)
            HandedOver.insert(job.directory, r)
            reported.insert(r)
            n += 1
        }
        return n
    }

    /// Whether every tracked replicate was reported.
    func isDone(_ reported: Set<Int>) -> Bool { tracked.isSubset(of: reported) }

    /// One round: harvest, poll, settle finished tasks. Returns a poll failure's message, if any.
    func step(_ run: SlurmRun, _ reported: inout Set<Int>) -> String? {
        harvest(run.loop, &reported)
        let states: [Int: TaskState]
        switch monitor.poll() {
        case .failure(let message): return message
        case .states(let s): states = s
        }
        lastStates = states
        harvest(run.loop, &reported)  // files written while squeue answered
        for g in tasks where !handled.contains(g) {
            let unfinished = job.record.batches[g].filter { tracked.contains($0) && !reported.contains($0) }
            if unfinished.isEmpty { finish(g, run.loop); continue }
            let vanished = monitor.vanished.contains(g)
            guard let s = states[g], s.isFinished || vanished else { continue }
            // A task that ended well wrote its results; give the filesystem time to show them.
            let endedWell = !vanished && s.signal == 0 && (s.state == "COMPLETED" || s.exitCode == 1)
            let first = firstSeenWithoutResult[g] ?? Date()
            firstSeenWithoutResult[g] = first
            if endedWell && Date().timeIntervalSince(first) < Self.resultGrace { continue }
            settle(g, s, vanished: vanished, unfinished: unfinished, run, &reported)
        }
        return nil
    }

    /// A task ended with replicates unfinished: requeue it, resubmit the replicates it never
    /// reached, or fail them.
    private func settle(_ g: Int, _ s: TaskState, vanished: Bool, unfinished: [Int], _ run: SlurmRun, _ reported: inout Set<Int>) {
        let loop = run.loop, settings = run.settings
        let name = job.slurmName(g)
        if vanished || Self.requeueable.contains(s.state) {
            let why = vanished ? "vanished from Slurm" : s.state
            if job.requeues(g) < settings.maxRequeues {
                if !vanished, requeue(g, run) {
                    run.log("slurm task \(name) \(why): requeued (\(job.requeues(g)) of \(settings.maxRequeues)); \(unfinished.count) replicate(s) to go")
                    return
                }
                // Not requeueable in place (purged, or refused): the unfinished replicates go in a new task.
                try? job.noteRequeue(g)
                if let t = try? job.resubmit(unfinished, settings: settings, commands: run.commands) {
                    run.log("slurm: task \(name) \(why); its \(unfinished.count) unfinished replicate(s) resubmitted as task \(job.slurmName(t))")
                    finish(g, loop)
                    return
                }
            }
            let m = run.failureMessage(job, g, s, vanished: vanished) + "; requeued \(job.requeues(g)) time(s) (max_requeues \(settings.maxRequeues))"
            for r in unfinished { loop.fail(r, m); HandedOver.insert(job.directory, r); reported.insert(r) }
            finish(g, loop)
            return
        }
        // The worker stopped (crash, signal, out of memory) in the first unfinished replicate;
        // the ones after it never ran and get a task of their own.
        let m = run.failureMessage(job, g, s, vanished: false, missingResult: s.signal == 0 && (s.state == "COMPLETED" || s.exitCode == 1))
        loop.fail(unfinished[0], m)
        HandedOver.insert(job.directory, unfinished[0])
        reported.insert(unfinished[0])
        let rest = Array(unfinished.dropFirst())
        if !rest.isEmpty {
            if let t = try? job.resubmit(rest, settings: settings, commands: run.commands) {
                run.log("slurm: task \(name) stopped in replicate \(unfinished[0]); replicates \(rest.map(String.init).joined(separator: ",")) it never reached resubmitted as task \(job.slurmName(t))")
            } else {
                for r in rest { loop.fail(r, m + " (this replicate never ran, and resubmitting it failed)"); HandedOver.insert(job.directory, r); reported.insert(r) }
            }
        }
        finish(g, loop)
    }

    /// `scontrol requeue` of one array task (only its unfinished replicates run: the worker
    /// skips replicates that have a result file), made eligible at once.
    private func requeue(_ g: Int, _ run: SlurmRun) -> Bool {
        let name = job.slurmName(g)
        guard run.commands.paths["scontrol"] != nil else { return false }
        let r = run.commands.run("scontrol", job.clusterArgs + ["requeue", name], timeout: 60)
        guard r.status == 0 else { run.log("slurm: scontrol requeue \(name) failed: \(Preflight.oneLine(r.diagnostic))"); return false }
        // Slurm holds a requeued job back for two minutes (its begin time); this plugin counts and
        // caps requeues itself, so the task may start again soon — not at once: slurmd refuses
        // to start a job whose previous credential it revoked a moment ago ("Job credential revoked").
        _ = run.commands.run("scontrol", job.clusterArgs + ["update", "jobid=\(name)", "StartTime=now+5"], timeout: 60)
        try? job.noteRequeue(g)
        monitor.forget(g)
        firstSeenWithoutResult[g] = nil
        return true
    }

    /// Task `g` is settled: keep every attempt's log with each of its replicates.
    private func finish(_ g: Int, _ loop: ReplicateLoop) {
        guard handled.insert(g).inserted else { return }
        let logs = job.attemptLogs(g)
        for r in job.record.batches[g] where tracked.contains(r) {
            for l in logs { loop.keepLog(r, path: l) }
        }
    }

    /// One poll that changes nothing (for `status`).
    func observe() { if case .states(let s) = monitor.poll() { lastStates = s } }

    /// Cancels every array, waits briefly for the tasks to stop, then harvests what finished.
    func cancel(_ run: SlurmRun, _ reported: inout Set<Int>) {
        job.markCancelled()
        let ids = job.jobIDs
        if !ids.isEmpty {
            let r = run.commands.run("scancel", job.clusterArgs + ids, timeout: 60)
            if r.status != 0 { run.log("slurm: scancel \(ids.joined(separator: " ")) failed (exit \(r.status)): \(Preflight.oneLine(r.diagnostic)); cancel it by hand") }
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                guard case .states(let states) = monitor.poll() else { break }
                if tasks.allSatisfy({ states[$0]?.isFinished ?? true }) { break }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        harvest(run.loop, &reported)
        for g in tasks where !handled.contains(g) && job.record.batches[g].contains(where: reported.contains) { finish(g, run.loop) }
    }

    /// Task counts for progress lines.
    func counts(_ reported: Set<Int>) -> (pending: Int, running: Int, finished: Int) {
        var p = 0, r = 0, f = 0
        for g in tasks {
            let s = lastStates[g]
            if handled.contains(g) || s?.isFinished == true { f += 1 } else if s?.isRunning == true { r += 1 } else { p += 1 }
        }
        return (p, r, f)
    }
}
