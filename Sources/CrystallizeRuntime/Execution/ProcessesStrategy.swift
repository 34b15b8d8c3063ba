import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#endif
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// N worker processes of this host. Replicates are handed out one at a time as workers
/// become free and results stream back line by line, so a step that crashes its process
/// (signal, abort, exit) fails only the (replicate, condition) it was running.
///
/// Each worker is started and reaped through swift-subprocess; its pipes are written and read
/// with blocking calls on a thread of its own per worker (the library's async streams cost
/// about 25 µs a replicate more), so no thread of Swift's shared pool waits on a worker.
struct ProcessesStrategy: ExecutionStrategy {
    let workers: Int
    var traits: StrategyTraits { StrategyTraits(runsStepsInProcess: false) }

    func execute(_ job: ExecutionJob) async throws {
        let queue = WorkQueue(job.pending)
        let registry = WorkerRegistry()
        job.cancel.onCancel { registry.terminateAll() }
        let count = min(max(workers, 1), job.pending.count)
        guard count > 0 else { return }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<count { group.addTask { await WorkerSlot(job: job, queue: queue, registry: registry).run() } }
        }
    }
}

/// A thread-safe queue of pending items.
final class WorkQueue: @unchecked Sendable {
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

/// The live worker processes, so Ctrl-C can stop them all. A pid is here only while its
/// process is running or not yet reaped (it leaves before swift-subprocess reaps it), so a
/// signal never reaches a reused pid.
final class WorkerRegistry: @unchecked Sendable {
    private var pids: Set<pid_t> = []
    private let lock = NSLock()
    func add(_ pid: pid_t) { lock.lock(); pids.insert(pid); lock.unlock() }
    func remove(_ pid: pid_t) { lock.lock(); pids.remove(pid); lock.unlock() }
    func terminateAll() {
        lock.lock(); let all = pids; lock.unlock()
        for pid in all { kill(pid, SIGTERM) }
    }
}

/// One worker slot: keeps a worker process busy, starting a new one after a crash.
final class WorkerSlot: @unchecked Sendable {
    let job: ExecutionJob
    let queue: WorkQueue
    let registry: WorkerRegistry
    // The replicate being run and its conditions not reported yet. Touched by one thread at a
    // time: the slot's task, then the feed thread it starts (starting the thread and resuming
    // the task's continuation order the accesses), hence unchecked Sendable.
    private var replicate = 0
    private var remaining: [Condition] = []

    init(job: ExecutionJob, queue: WorkQueue, registry: WorkerRegistry) { self.job = job; self.queue = queue; self.registry = registry }

    /// How one worker's session ended.
    enum SessionEnd { case noMoreWork, died }

    func run() async {
        while !job.cancel.isCancelled {
            if remaining.isEmpty {
                guard let item = queue.pop() else { return }
                replicate = item.replicate
                remaining = item.conditions
            }
            let result: ExecutionResult<SessionEnd, FileDescriptorOutput, FileDescriptorOutput>
            do { result = try await startWorker() } catch {
                for c in remaining { job.fail(replicate: replicate, condition: c.name, step: "<worker>", message: "cannot start a worker process: \(error)") }
                remaining = []
                continue
            }
            let how = WorkerEnding.describe(result.terminationStatus)
            if result.closureResult == .noMoreWork {
                // Every result is in by now; a worker that dies on its way out (a plugin's
                // teardown or shutdown) costs nothing, but is worth a line.
                if !job.cancel.isCancelled, how != WorkerEnding.cleanExit {
                    job.warn("warning: a \(how) after its last replicate (in a plugin's teardown or shutdown); its results are kept")
                }
                return
            }
            // The worker died mid-replicate: the condition it was running fails with the reason,
            // and what it printed (a crash report) goes to that replicate's log.
            ReplicateOutput.rescue(pid: result.processIdentifier.value, replicate: replicate, versionDirectory: job.versionDirectory)
            if job.cancel.isCancelled { return }
            if let first = remaining.first {
                remaining.removeFirst()
                job.fail(replicate: replicate, condition: first.name, step: "<worker>", message: how)
            }
        }
    }

    /// Starts a worker and feeds it replicates until it dies or the work runs out.
    ///
    /// swift-subprocess starts, watches and reaps the worker; the two pipes are this slot's
    /// own, read and written with blocking calls on a thread of their own. Why not the
    /// library's async streams: a replicate's round trip through them (an epoll thread, then a
    /// continuation resumed on the shared pool) cost ~25 µs more per replicate in
    /// `bench/run.sh`'s processes rows (10,000 trivial replicates: 0.45 s before, 0.70 s).
    private func startWorker() async throws -> ExecutionResult<SessionEnd, FileDescriptorOutput, FileDescriptorOutput> {
        let command = job.worker.streamingCommand
        // A crashing plugin should cost one line (the signal, reported by the parent), not a
        // full Swift crash report per worker; opt back in with CRYSTALLIZE_WORKER_BACKTRACE=1.
        let quiet: [Environment.Key: String?] = ProcessInfo.processInfo.environment["CRYSTALLIZE_WORKER_BACKTRACE"] == "1" ? [:] : ["SWIFT_BACKTRACE": "enable=no"]
        let toWorker = try WorkerPipe(), fromWorker = try WorkerPipe()
        defer { toWorker.closeWriteEnd(); fromWorker.closeReadEnd() }
        return try await Subprocess.run(.path(FilePath(command[0])), arguments: Arguments(Array(command.dropFirst())),
                                        environment: .inherit.updating(quiet),
                                        input: .fileDescriptor(FileDescriptor(rawValue: toWorker.takeReadEnd()), closeAfterSpawningProcess: true),
                                        output: .fileDescriptor(FileDescriptor(rawValue: fromWorker.takeWriteEnd()), closeAfterSpawningProcess: true),
                                        error: .currentStandardError) { execution in
            let pid = execution.processIdentifier.value
            self.registry.add(pid)
            defer { self.registry.remove(pid) }
            return await withCheckedContinuation { (done: CheckedContinuation<SessionEnd, Never>) in
                Thread {
                    let end = self.feed(to: toWorker, from: WorkerLines(fd: fromWorker.readEnd))
                    toWorker.closeWriteEnd()  // the worker reads end of input and exits
                    done.resume(returning: end)
                }.start()
            }
        }
    }

    /// Hands replicates to a started worker, one at a time, until it dies or the work runs out.
    private func feed(to input: WorkerPipe, from output: WorkerLines) -> SessionEnd {
        var lines = output
        while true {
            guard input.write(WorkerPipeFormat.workLine(replicate: replicate, conditions: remaining.map(\.name))) else { return .died }
            var finished = false
            while let line = lines.next() {
                if line == WorkerPipeFormat.done { finished = true; break }
                if let event = WorkerPipeFormat.eventJSON(line: line) { job.events.republish(lines: CollectionOfOne(event)); continue }
                guard let outcome = try? WorkerPipeFormat.outcome(line: line) else { continue }
                remaining.removeAll { $0.name == outcome.condition }
                job.sink.accept(outcome)
            }
            if !finished { return .died }
            remaining = []
            guard !job.cancel.isCancelled, let item = queue.pop() else { return .noMoreWork }
            replicate = item.replicate
            remaining = item.conditions
        }
    }
}

/// One pipe between the parent and a worker. Both ends are close-on-exec, so no other
/// worker inherits them (a worker whose input another process holds open never sees its end).
/// Unchecked Sendable: its ends are closed by the feed thread or by the slot's cleanup, never
/// both at once (the cleanup runs after the feed thread has finished).
final class WorkerPipe: @unchecked Sendable {
    private(set) var readEnd: Int32
    private(set) var writeEnd: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        // Glibc's module hides pipe2; the window before FD_CLOEXEC is harmless here, since
        // swift-subprocess closes every descriptor above 2 in the children it starts.
        guard pipe(&fds) == 0, fcntl(fds[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(fds[1], F_SETFD, FD_CLOEXEC) == 0 else { throw PipeError(description: "cannot make a pipe for a worker: \(String(cString: strerror(errno)))") }
        readEnd = fds[0]; writeEnd = fds[1]
    }

    /// The read end, for the child (swift-subprocess closes it here once the child has it).
    func takeReadEnd() -> Int32 { defer { readEnd = -1 }; return readEnd }
    /// The write end, for the child.
    func takeWriteEnd() -> Int32 { defer { writeEnd = -1 }; return writeEnd }
    func closeReadEnd() { if readEnd >= 0 { close(readEnd); readEnd = -1 } }
    func closeWriteEnd() { if writeEnd >= 0 { close(writeEnd); writeEnd = -1 } }

    /// Writes all of `text`; false when the worker is gone.
    func write(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = Glibc.write(writeEnd, b.baseAddress! + off, b.count - off)
                if n <= 0 { if n < 0 && errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
    }
}

/// A pipe could not be made (out of file descriptors, say).
struct PipeError: Error, CustomStringConvertible { let description: String }

/// The worker's stdout as lines ("\n"-separated; a line may hold any other character).
struct WorkerLines {
    let fd: Int32
    private var buffer: [UInt8] = []
    init(fd: Int32) { self.fd = fd }

    /// The next line, or nil at the end of the stream (the worker exited or closed it).
    mutating func next() -> String? {
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
}

/// How a worker process ended, in the words failures and warnings use.
enum WorkerEnding {
    /// A worker that exited normally.
    static let cleanExit = "worker process exited with status 0"

    static func describe(_ status: TerminationStatus) -> String {
        switch status {
        case .exited(let code): return "worker process exited with status \(code)"
        case .signaled(let s):
            let name = strsignal(s).map { String(cString: $0) } ?? "?"
            return "worker process killed by signal \(s) (\(ProcessSignals.name(s)): \(name))"
        }
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
