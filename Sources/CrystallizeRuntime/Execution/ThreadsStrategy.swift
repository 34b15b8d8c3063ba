import ChildProcesses
import Foundation

/// N dedicated OS threads, so blocking steps get N-way parallelism regardless of the core
/// count. A pipeline with no async step runs straight on the threads, each taking the next few
/// replicates as it frees up; one with an async step runs as tasks pinned to a pool of exactly
/// N threads.
struct ThreadsStrategy: ExecutionStrategy {
    let workers: Int
    var traits: StrategyTraits { StrategyTraits(callsStepsConcurrently: true) }
    func execute(_ job: ExecutionJob) async throws {
        if job.runner.isSynchronous { return await executeSynchronously(job) }
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

extension ThreadsStrategy {
    /// Runs a synchronous pipeline on N threads that claim pending replicates a few at a
    /// time: no task or wake-up per replicate, and results never depend on which thread ran what.
    func executeSynchronously(_ job: ExecutionJob) async {
        let threads = min(max(workers, 1), job.pending.count)
        guard threads > 0 else { return }
        let claims = ReplicateClaims(count: job.pending.count, threads: threads)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let group = DispatchGroup()
            for i in 0..<threads {
                group.enter()
                let t = Thread {
                    while !job.cancel.isCancelled, let range = claims.next() {
                        for at in range {
                            if job.cancel.isCancelled { break }
                            let item = job.pending[at]
                            for c in item.conditions { job.sink.accept(job.runner.runSynchronously(replicate: item.replicate, condition: c)) }
                        }
                    }
                    group.leave()
                }
                t.name = "crystallize-worker-\(i)"
                t.start()
            }
            group.notify(queue: .global()) { done.resume() }
        }
    }
}

/// Hands out the positions of pending work in small consecutive runs: large enough that
/// claiming costs nothing next to running, small enough that threads finish together.
final class ReplicateClaims: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = 0
    private let count: Int
    private let size: Int

    init(count: Int, threads: Int) {
        self.count = count
        size = max(1, min(16, count / (threads * 64)))
    }

    /// The next run of positions, or nil when all are claimed.
    func next() -> Range<Int>? {
        lock.lock(); defer { lock.unlock() }
        guard claimed < count else { return nil }
        let start = claimed
        claimed = min(count, claimed + size)
        return start..<claimed
    }
}
