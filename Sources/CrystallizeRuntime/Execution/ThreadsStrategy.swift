import Foundation

/// N dedicated OS threads: replicates run as tasks pinned to a thread pool of exactly N
/// threads, so blocking steps get N-way parallelism regardless of the core count.
struct ThreadsStrategy: ExecutionStrategy {
    let workers: Int
    func execute(_ job: ExecutionJob) async throws {
        let pool = ThreadPoolExecutor(threads: max(workers, 1))
        defer { pool.shutdown() }
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func add() -> Bool {
                guard next < job.pending.count, !job.cancel.isCancelled else { return false }
                let item = job.pending[next]; next += 1
                group.addTask(executorPreference: pool) {
                    for c in item.conditions { job.sink.accept(await job.runner.run(replicate: item.replicate, condition: c)) }
                }
                return true
            }
            for _ in 0..<max(workers, 1) { if !add() { break } }
            while await group.next() != nil { _ = add() }
        }
    }
}

/// A task executor backed by a fixed set of threads.
final class ThreadPoolExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init(threads: Int) {
        for i in 0..<threads {
            let t = Thread { [self] in self.work() }
            t.name = "crystallize-worker-\(i)"
            t.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
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

    func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
