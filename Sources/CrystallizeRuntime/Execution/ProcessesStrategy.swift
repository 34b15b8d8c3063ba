import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// N worker processes of this host. Replicates are handed out one at a time as workers
/// become free and results stream back line by line, so a step that crashes its process
/// (signal, abort, exit) fails only the (replicate, condition) it was running.
struct ProcessesStrategy: ExecutionStrategy {
    let workers: Int
    var traits: StrategyTraits { StrategyTraits(runsStepsInProcess: false) }

    func execute(_ job: ExecutionJob) async throws {
        let queue = WorkQueue(job.pending)
        let registry = WorkerRegistry()
        job.cancel.onCancel { registry.terminateAll() }
        let count = min(max(workers, 1), job.pending.count)
        guard count > 0 else { return }
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            let group = DispatchGroup()
            for _ in 0..<count {
                group.enter()
                Thread {
                    WorkerDriver(job: job, queue: queue, registry: registry).run()
                    group.leave()
                }.start()
            }
            group.notify(queue: .global()) { cont.resume() }
        }
    }
}

/// A thread-safe queue of pending items.
final class WorkQueue {
    private let items: PendingWork
    private var next = 0
    private let lock = NSLock()
    init(_ items: PendingWork) { self.items = items }
    func pop() -> PendingWork.Element? {
        lock.lock(); defer { lock.unlock() }
        guard next < items.count else { return nil }
        next += 1
        return items[next - 1]
    }
}

/// The live worker processes, so Ctrl-C can stop them all.
final class WorkerRegistry {
    private var processes: [Process] = []
    private let lock = NSLock()
    func add(_ p: Process) { lock.lock(); processes.append(p); lock.unlock() }
    func remove(_ p: Process) { lock.lock(); processes.removeAll { $0 === p }; lock.unlock() }
    func terminateAll() {
        lock.lock(); let ps = processes; lock.unlock()
        for p in ps where p.isRunning { kill(p.processIdentifier, SIGTERM) }
    }
}

/// One worker slot: keeps a worker process busy, restarting it after a crash.
struct WorkerDriver {
    let job: ExecutionJob
    let queue: WorkQueue
    let registry: WorkerRegistry

    func run() {
        var worker: WorkerProcess? = nil
        defer {
            if let w = worker {
                // Every result is in by now; a worker that dies on its way out (a plugin's
                // teardown or shutdown) costs nothing, but is worth a line.
                let how = w.finish()
                registry.remove(w.process)
                if !job.cancel.isCancelled, how != WorkerProcess.cleanExit {
                    job.warn("warning: a \(how) after its last replicate (in a plugin's teardown or shutdown); its results are kept")
                }
            }
        }
        while !job.cancel.isCancelled, let item = queue.pop() {
            var remaining = item.conditions
            while !remaining.isEmpty && !job.cancel.isCancelled {
                if worker == nil {
                    do { worker = try WorkerProcess(command: job.worker.streamingCommand); registry.add(worker!.process) } catch {
                        for c in remaining { job.fail(replicate: item.replicate, condition: c.name, step: "<worker>", message: "cannot start a worker process: \(error)") }
                        remaining = []
                        break
                    }
                }
                let w = worker!
                w.send(WorkerPipeFormat.workLine(replicate: item.replicate, conditions: remaining.map(\.name)))
                var finished = false
                while let line = w.readLine() {
                    if line == WorkerPipeFormat.done { finished = true; break }
                    if let event = WorkerPipeFormat.eventJSON(line: line) { job.events.republish(lines: CollectionOfOne(event)); continue }
                    guard let outcome = try? WorkerPipeFormat.outcome(line: line) else { continue }
                    remaining.removeAll { $0.name == outcome.condition }
                    job.sink.accept(outcome)
                }
                if finished { remaining = []; break }
                // The worker died mid-replicate: the condition it was running fails with the reason,
                // and what it printed (a crash report) goes to that replicate's log.
                let reason = w.finish()
                ReplicateOutput.rescue(pid: w.process.processIdentifier, replicate: item.replicate, versionDirectory: job.versionDirectory)
                registry.remove(w.process)
                worker = nil
                if job.cancel.isCancelled { return }
                if let first = remaining.first {
                    remaining.removeFirst()
                    job.fail(replicate: item.replicate, condition: first.name, step: "<worker>", message: reason)
                }
            }
        }
    }
}

/// A running worker process with line-oriented pipes.
final class WorkerProcess {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer: [UInt8] = []

    init(command: [String]) throws {
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardInput = input
        process.standardOutput = output
        var env = ProcessInfo.processInfo.environment
        // A crashing plugin should cost one line (the signal, reported by the parent), not a
        // full Swift crash report per worker; opt back in with CRYSTALLIZE_WORKER_BACKTRACE=1.
        if env["CRYSTALLIZE_WORKER_BACKTRACE"] != "1" { env["SWIFT_BACKTRACE"] = "enable=no" }
        process.environment = env
        try process.run()
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = write(input.fileHandleForWriting.fileDescriptor, b.baseAddress! + off, b.count - off)
                if n <= 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }

    func readLine() -> String? {
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// How `finish` describes a worker that exited normally.
    static let cleanExit = "worker process exited with status 0"

    /// Closes stdin, waits, and describes how the process ended.
    @discardableResult
    func finish() -> String {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? output.fileHandleForReading.close()
        let s = process.terminationStatus
        if process.terminationReason == .uncaughtSignal {
            let name = strsignal(s).map { String(cString: $0) } ?? "?"
            return "worker process killed by signal \(s) (\(ProcessSignals.name(s)): \(name))"
        }
        return "worker process exited with status \(s)"
    }
}

/// Signal names for messages.
enum ProcessSignals {
    static func name(_ s: Int32) -> String {
        switch s {
        case SIGSEGV: return "SIGSEGV"
        case SIGABRT: return "SIGABRT"
        case SIGBUS: return "SIGBUS"
        case SIGFPE: return "SIGFPE"
        case SIGILL: return "SIGILL"
        case SIGKILL: return "SIGKILL"
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        default: return "signal \(s)"
        }
    }
}
