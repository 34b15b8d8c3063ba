import Foundation

/// A task executor backed by threads of its own: tasks that block (a step that sleeps, a
/// caller waiting for a child process) then never hold one of Swift's shared pool threads,
/// of which a small machine has one per core, so nothing waits on a pool that is all waiting.
/// Used by the threads strategy (N workers) and by `Command.runBlocking` (one thread).
public final class ThreadPoolExecutor: TaskExecutor, @unchecked Sendable {
    /// The one thread `Command.runBlocking` and `BackgroundCommand` run swift-subprocess's
    /// async work on; that work only waits on I/O, so one thread serves every caller.
    public static let subprocessWaits = ThreadPoolExecutor(threads: 1, name: subprocessWaitsName)
    /// The name of `subprocessWaits`'s thread.
    static let subprocessWaitsName = "crystallize.subprocess"

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    /// `threads` threads named `name-<i>` (or `name` when there is one).
    public init(threads: Int, name: String = "crystallize-worker") {
        for i in 0..<threads {
            let t = Thread { [self] in self.work() }
            t.name = threads == 1 ? name : "\(name)-\(i)"
            t.start()
        }
    }

    /// Runs `job` on the next free thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Lets the threads end once the queued jobs have run.
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
