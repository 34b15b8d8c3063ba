import Foundation

/// A task executor with one thread of its own, so synchronous code can wait for
/// swift-subprocess's async API (`Command.runBlocking`) without borrowing a thread of
/// Swift's shared pool: a caller blocking a pool thread while its child task waits for one
/// could deadlock on a small machine (the pool has one thread per core).
final class SerialTaskExecutor: TaskExecutor, @unchecked Sendable {
    /// The one executor every blocking call shares: subprocess work only waits on I/O.
    static let shared = SerialTaskExecutor()

    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private let condition = NSCondition()

    private init() {
        let thread = Thread { [unowned self] in self.drain() }
        thread.name = "crystallize.subprocess"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func drain() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
