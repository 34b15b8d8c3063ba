import Crystallize
import Foundation

/// One call of the `ray` strategy: write the job and the driver, start the driver, hand each
/// replicate's result file to the host as it appears, and turn each Ray task that ended
/// without all its results into failures naming the task.
struct RayRun {
    let settings: RaySettings
    let loop: ReplicateLoop
    let log: (String) -> Void

    /// How long a task that ended well may take to show its result files (shared filesystems).
    static let resultGrace: TimeInterval = 15

    /// One Ray task the driver submitted.
    struct Task {
        var replicates: [Int]
        var id: String
        var log: String
        var ended: Date? = nil
        var failure: String? = nil
        var settled = false
    }

    func run() throws {
        switch loop.mode {
        case .detach: throw PluginFailure("ray: --detach is not supported by the ray strategy (Ray tasks end with the driver that submitted them); run it in the foreground, or use slurm")
        case .status, .cancel: return
        case .run: break
        }
        let pending = loop.pending
        guard !pending.isEmpty, !loop.isCancelled else { return }
        let parent = settings.sharedDir.isEmpty ? loop.workDirectory : settings.sharedDir
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        var template = Array("\(parent)/ray-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw PluginFailure("ray: cannot create a folder in \(parent)") }
        let dir = URL(fileURLWithPath: String(cString: made)).standardizedFileURL.path
        let placeholder = "@REPLICATES@"
        let argv = loop.batchWorkerCommand(replicates: placeholder, resultPattern: "\(dir)/result_{r}.outcomes")
        guard !argv.isEmpty else { throw PluginFailure("ray: the host gave no batch worker command line (is the host older than this plugin?)") }
        let per = settings.replicatesPerTask
        let batches = per > 0 ? stride(from: 0, to: pending.count, by: per).map { Array(pending[$0..<min($0 + per, pending.count)]) } : [pending]
        let job: [String: Any] = ["placeholder": placeholder, "argv": argv, "batches": batches, "num_cpus": settings.numCPUs,
                                  "replicates_per_task": per, "runtime_env": settings.runtimeEnvObject, "address": settings.address, "directory": dir]
        try JSONSerialization.data(withJSONObject: job, options: [.sortedKeys]).write(to: URL(fileURLWithPath: "\(dir)/job.json"), options: .atomic)
        try Driver.source.write(toFile: "\(dir)/\(Driver.fileName)", atomically: true, encoding: .utf8)
        if per > 0 { log("ray: \(pending.count) replicate(s) in \(batches.count) task(s) of up to \(per) (replicates_per_task: \(per)); files in \(dir)") }
        let driver = try DriverProcess(python: settings.python, script: "\(dir)/\(Driver.fileName)", job: "\(dir)/job.json", directory: dir)
        try follow(driver, pending: pending, directory: dir)
    }

    /// Reads the driver's lines and the result files until every replicate is reported.
    func follow(_ driver: DriverProcess, pending: [Int], directory dir: String) throws {
        var reported = Set<Int>()
        var tasks: [Int: Task] = [:]
        var fatal: String? = nil
        var interrupted = false
        func harvest() {
            for r in pending where !reported.contains(r) {
                let path = "\(dir)/result_\(r).outcomes"
                if FileManager.default.fileExists(atPath: path) { loop.submitResult(r, path: path); reported.insert(r) }
            }
        }
        func absorb(_ lines: [[String: Any]]) {
            for l in lines {
                let task = (l["task"] as? Int) ?? -1
                switch l["event"] as? String {
                case "connected": log("ray: connected to \(l["address"] as? String ?? "?") (\(l["cpus"] ?? "?") CPUs); files in \(dir)")
                case "batches": log("ray: \(pending.count) replicate(s) in \(l["tasks"] ?? "?") task(s) of up to \(l["size"] ?? "?") (replicates_per_task chosen from \(l["reason"] ?? "?"))")
                case "submitted": tasks[task] = Task(replicates: (l["replicates"] as? [Int]) ?? [], id: l["task_id"] as? String ?? "?", log: l["log"] as? String ?? "")
                case "done":
                    tasks[task]?.ended = Date()
                    if let code = l["exit"] as? Int, code != 0, code != 1 { tasks[task]?.failure = "exit code \(code)" }
                    if let code = l["exit"] as? Int, code < 0 { tasks[task]?.failure = "killed by signal \(-code)" }
                case "error": tasks[task]?.ended = Date(); tasks[task]?.failure = l["message"] as? String ?? "failed"
                case "fatal": fatal = l["message"] as? String ?? "the driver failed"
                default: break
                }
            }
        }
        while true {
            if loop.isCancelled && !interrupted {
                loop.progress("ray: cancelling the Ray tasks")
                driver.interrupt()
                interrupted = true
            }
            let (lines, ended) = driver.take()
            absorb(lines)
            harvest()
            for (i, t) in tasks.sorted(by: { $0.key < $1.key }) where !t.settled {
                let unfinished = t.replicates.filter { !reported.contains($0) }
                guard let end = t.ended else { continue }
                if !unfinished.isEmpty && t.failure == nil && Date().timeIntervalSince(end) < Self.resultGrace { continue }
                for r in unfinished { loop.fail(r, failureMessage(i, t, missing: t.failure == nil)); reported.insert(r) }
                if FileManager.default.fileExists(atPath: t.log) { for r in t.replicates { loop.keepLog(r, path: t.log) } }
                tasks[i]?.settled = true
            }
            if reported.isSuperset(of: pending) { break }
            if ended && !driver.process.isRunning {
                harvest()
                if let fatal, tasks.isEmpty { throw PluginFailure("ray: \(fatal); driver log: \(driver.logPath)") }
                if interrupted { return }
                let why = fatal ?? "the driver exited (status \(driver.process.terminationStatus)): \(Self.tail(driver.logPath).joined(separator: " | "))"
                for r in pending where !reported.contains(r) { loop.fail(r, "ray: \(why) (driver log \(driver.logPath))"); reported.insert(r) }
                break
            }
            let running = tasks.values.filter { $0.ended == nil }.count
            loop.progress("ray: \(tasks.count) task(s) submitted, \(running) running or queued, \(reported.count)/\(pending.count) replicates done")
            Thread.sleep(forTimeInterval: settings.pollInterval)
        }
        if driver.process.isRunning { driver.process.waitUntilExit() }
        // Every result file can be in before the driver's last lines are read, which ends the
        // loop with tasks not yet settled: once the driver has said everything, keep their logs.
        absorb(driver.take().lines)
        for t in tasks.values where !t.settled && FileManager.default.fileExists(atPath: t.log) {
            for r in t.replicates { loop.keepLog(r, path: t.log) }
        }
    }

    /// "ray task 3 (id …) exit code 2: <log tail>"; the replicate is named by the host.
    func failureMessage(_ i: Int, _ t: Task, missing: Bool) -> String {
        var m = "ray task \(i) (task id \(t.id)) \(t.failure ?? "ended")"
        if missing { m += ", but its result file did not appear within \(Int(Self.resultGrace)) s" }
        let lines = Self.tail(t.log)
        m += lines.isEmpty ? "; its log \(t.log) is empty or missing" : ": " + lines.joined(separator: "\n") + "\n(log: \(t.log))"
        return m
    }

    /// The last lines of a log.
    static func tail(_ path: String, lines: Int = 10) -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isNewline).suffix(lines).map { $0.count > 300 ? String($0.prefix(300)) + "…" : String($0) }
    }
}
