import Crystallize
import Foundation

/// One call of the `slurm` strategy. It first picks up this run's earlier submissions (a
/// detached run, a host that was killed, an interrupted run being resumed), then submits the
/// pending replicates no live submission covers — in batches, one job array task per batch —
/// and, unless detaching, follows everything with squeue, handing each replicate's result to
/// the host as soon as its file appears, so the host checkpoints while the arrays run.
struct SlurmRun {
    let settings: SlurmSettings
    let loop: ReplicateLoop
    let log: (String) -> Void
    /// The Slurm client commands, checked before anything is submitted.
    let commands: Commands

    /// How long squeue may keep failing before the run gives up on the controller.
    static let controllerPatience: TimeInterval = 300

    init(settings: SlurmSettings, loop: ReplicateLoop, log: @escaping (String) -> Void) throws {
        self.settings = settings
        self.loop = loop
        self.log = log
        commands = loop.pending.isEmpty ? Commands(paths: [:]) : try Preflight.check()
    }

    func run() throws {
        let wanted = Set(loop.pending)
        guard !wanted.isEmpty else { return }
        if loop.isCancelled { return }
        let mode = loop.mode
        let index = SubmissionIndex(workDirectory: loop.workDirectory)
        var followers = index.load().compactMap { s -> Follower? in
            let t = wanted.intersection(s.replicates).filter { !HandedOver.contains(s.directory, $0) }
            return t.isEmpty ? nil : Follower(job: s, tracked: t, commands: commands)
        }
        var reported = Set<Int>()
        for f in followers { f.harvest(loop, &reported) }

        switch mode {
        case .status: return status(followers, &reported)
        case .cancel:
            for f in followers where !f.job.record.cancelled { f.cancel(self, &reported) }
            loop.progress("slurm: cancelled \(followers.filter { !$0.job.jobIDs.isEmpty }.map { $0.job.jobIDs.joined(separator: ",") }.joined(separator: "; ")); \(reported.count) finished replicate(s) kept")
            return
        case .run, .detach: break
        }

        // Old submissions that were cancelled are only harvested; the rest are followed.
        followers.removeAll { $0.job.record.cancelled }
        let covered = Set(followers.flatMap(\.tracked))
        let fresh = loop.pending.filter { !reported.contains($0) && !covered.contains($0) }
        if !fresh.isEmpty {
            let sub = try submit(fresh, index: index)
            followers.append(Follower(job: sub, tracked: Set(fresh), commands: commands))
        }
        if mode == .detach {
            let ids = followers.flatMap(\.job.jobIDs)
            log("slurm: detached; job array(s) \(ids.joined(separator: ", ")) keep running without this process")
            return
        }
        try follow(followers, &reported)
    }

    /// Batches the replicates, writes the submission and submits its arrays.
    func submit(_ replicates: [Int], index: SubmissionIndex) throws -> Submission {
        let parent = Files.absolute(settings.sharedDir.isEmpty ? loop.workDirectory : settings.sharedDir)
        let earlier = index.load().map(\.directory)
        let sizing = BatchSizing.choose(count: replicates.count, settings: settings,
                                        idleCPUs: settings.replicatesPerTask > 0 || settings.arrayThrottle > 0 ? nil : BatchSizing.idleCPUs(commands, partition: settings.partition),
                                        measured: BatchSizing.measuredDuration(in: earlier))
        let batches = stride(from: 0, to: replicates.count, by: sizing.size).map { Array(replicates[$0..<min($0 + sizing.size, replicates.count)]) }
        let maxArray = settings.maxArraySize > 0 ? settings.maxArraySize : (Self.clusterMaxArraySize(commands) ?? 1001)
        let sub = try Submission.create(batches: batches, parent: parent, workerCommand: { loop.batchWorkerCommand(replicates: $0, resultPattern: $1) },
                                        settings: settings, commands: commands, maxArraySize: maxArray)
        try index.add(sub.directory)
        let arrays = sub.record.arrays.map(\.jobID)
        log("slurm: \(replicates.count) replicate(s) in \(batches.count) task(s) of up to \(sizing.size) (replicates_per_task \(sizing.reason)); " +
            "job array\(arrays.count > 1 ? "s" : "") \(arrays.joined(separator: ", "))\(arrays.count > 1 ? " (split: MaxArraySize \(maxArray))" : ""); files in \(sub.directory)")
        return sub
    }

    /// Polls every submission until each tracked replicate has a result or a failure.
    func follow(_ followers: [Follower], _ reported: inout Set<Int>) throws {
        var failingSince: Date? = nil
        while !followers.allSatisfy({ $0.isDone(reported) }) {
            if loop.isCancelled {
                loop.progress("slurm: cancelling")
                for f in followers { f.cancel(self, &reported) }
                return
            }
            var failure: String? = nil
            for f in followers where !f.isDone(reported) { if let m = f.step(self, &reported) { failure = m } }
            if let message = failure {
                let since = failingSince ?? Date()
                failingSince = since
                if Date().timeIntervalSince(since) > Self.controllerPatience {
                    for f in followers {
                        _ = commands.run("scancel", f.job.clusterArgs + f.job.jobIDs, timeout: 60)
                        f.harvest(loop, &reported)
                        for r in f.tracked where !reported.contains(r) {
                            loop.fail(r, "slurm: lost contact with the Slurm controller for \(Int(Self.controllerPatience)) s (\(message)); the arrays were cancelled")
                            reported.insert(r)
                        }
                    }
                    return
                }
                loop.progress("slurm: squeue failed, retrying (\(message))")
            } else {
                failingSince = nil
                loop.progress(summary(followers, reported))
            }
            if !followers.allSatisfy({ $0.isDone(reported) }) { wait(settings.pollInterval) }
        }
    }

    /// One line per submission, for `crystallize-host status`.
    func status(_ followers: [Follower], _ reported: inout Set<Int>) {
        for f in followers {
            if f.job.record.cancelled { loop.progress("slurm job \(f.job.jobIDs.joined(separator: ",")): CANCELLED"); continue }
            f.observe()
            let c = f.counts(reported)
            let state = c.running > 0 ? "RUNNING" : (c.pending > 0 ? "PENDING" : "FINISHED")
            loop.progress("slurm job \(f.job.jobIDs.joined(separator: ",")): \(state); tasks \(c.pending) pending, \(c.running) running, \(c.finished) finished")
        }
    }

    /// `MaxArraySize` from `scontrol show config`, or nil.
    static func clusterMaxArraySize(_ commands: Commands) -> Int? {
        guard commands.paths["scontrol"] != nil else { return nil }
        let r = commands.run("scontrol", ["show", "config"], timeout: 30)
        guard r.status == 0 else { return nil }
        for line in r.stdout.split(whereSeparator: \.isNewline) where line.hasPrefix("MaxArraySize") {
            if let v = line.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), v > 0 { return v }
        }
        return nil
    }

    /// "slurm task 12_3 FAILED (exit code 3): <log tail>"; the replicate is named by the host.
    func failureMessage(_ job: Submission, _ g: Int, _ s: TaskState, vanished: Bool, missingResult: Bool = false) -> String {
        var m = vanished ? "slurm task \(job.slurmName(g)) is no longer known to Slurm (squeue and scontrol have forgotten it, e.g. after MinJobAge)"
                         : "slurm task \(job.slurmName(g)) \(s.state)"
        if !vanished, !s.ending.isEmpty { m += " (\(s.ending))" }
        if missingResult { m += ", but a result file in \(job.directory) did not appear within \(Int(Follower.resultGrace)) s" }
        let path = job.latestLog(g)
        switch Files.tail(path) {
        case nil: m += "; no log at \(path) (the task never started)"
        case let lines? where lines.isEmpty: m += "; its log \(path) is empty"
        case let lines?: m += ": " + lines.joined(separator: "\n") + "\n(log: \(path))"
        }
        return m
    }

    /// The progress line: "slurm job 12: 3 pending, 2 running, 5/10 done".
    func summary(_ followers: [Follower], _ reported: Set<Int>) -> String {
        var p = 0, r = 0, total = 0, done = 0
        for f in followers { let c = f.counts(reported); p += c.pending; r += c.running; total += f.tracked.count; done += f.tracked.intersection(reported).count }
        let ids = followers.flatMap(\.job.jobIDs).joined(separator: ",")
        return "slurm job \(ids): \(p) task(s) pending, \(r) running, \(done)/\(total) replicates done"
    }

    /// Sleeps `seconds` in short slices so Ctrl-C is noticed quickly even with a long poll interval.
    func wait(_ seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        while !loop.isCancelled, Date() < end { Thread.sleep(forTimeInterval: min(0.1, max(0, end.timeIntervalSinceNow))) }
    }
}
