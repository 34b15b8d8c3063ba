import CCrystallize
import Foundation
import OrderedCollections

/// An execution strategy exported by a plugin: its run loop replaces the host's, through the
/// same loop handle every strategy could use (in-process runs, worker command lines).
struct PluginStrategy: ExecutionStrategy {
    let export: PluginExport
    let params: OrderedDictionary<String, Value>
    /// A plugin's run loop reads the loop mode: it may submit and return, look or cancel.
    var traits: StrategyTraits { StrategyTraits(followsLoopModes: true) }

    func checkParameters() throws { _ = try resolveParams() }

    func execute(_ job: ExecutionJob) async throws {
        let strategyParams = try resolveParams()
        let loop = LoopImpl(job: job)
        let e = export
        // The plugin's loop may block for a long time: give it its own thread, never a
        // cooperative-pool thread that in-process replicate runs need.
        let (status, error): (crys_status, String?) = await withCheckedContinuation { cont in
            Thread {
                let frame = CallFrame(exportName: e.qualifiedName, context: nil, params: strategyParams, rng: SeededGenerator(seed: job.plan.seed),
                                      services: CallServices(log: { level, m in
                                          // Info and above are log lines (a strategy says what it submitted, what it chose); debug only progress.
                                          if level >= CRYS_LOG_INFO { job.warn(LogLine.prefix(level) + m) } else { job.progress(m) } }))
                let box = LoopBox(loop)
                let s = e.raw.run_loop!(frame.pointer, box.pointer, e.raw.user)
                withExtendedLifetime(box) {}
                cont.resume(returning: (s, frame.error))
            }.start()
        }
        if status != CRYS_OK && !job.cancel.isCancelled {
            throw PluginError(message: "execution strategy '\(e.qualifiedName)' failed: \(error ?? "status \(status)")")
        }
        // Detach, status and cancel leave unfinished replicates to a later call.
        if !job.cancel.isCancelled && job.loopMode == CRYS_LOOP_RUN { loop.failUnfinished(strategy: e.qualifiedName) }
    }

    /// The strategy's parameters: given under `execution:`, else declared defaults; unknown or
    /// missing ones are errors, found when planning so a bad config never starts a run.
    func resolveParams() throws -> OrderedDictionary<String, Value> {
        var resolved = OrderedDictionary<String, Value>()
        for p in export.params {
            if let v = params[p.name] {
                guard p.type.accepts(v) else { throw PluginError(message: "execution strategy '\(export.qualifiedName)' parameter '\(p.name)' must be \(p.type.rawValue), got \(v.typeName)") }
                resolved[p.name] = v
            } else if let d = p.defaultValue { resolved[p.name] = d }
            else { throw PluginError(message: "execution strategy '\(export.qualifiedName)' needs parameter '\(p.name)' (set it under execution: in config.yaml)") }
        }
        for k in params.keys where !export.params.contains(where: { $0.name == k }) {
            throw PluginError(message: "execution strategy '\(export.qualifiedName)' has no parameter '\(k)'; it takes: \(export.params.isEmpty ? "none" : export.params.map(\.name).joined(separator: ", "))")
        }
        return resolved
    }
}

/// The loop handle behind `crys_loop *` for one run.
final class LoopImpl: ReplicateLoop {
    let job: ExecutionJob
    private let lock = NSLock()
    private var remaining: [Int: [Condition]]
    /// The pending replicates, listed once: the ABI reads them one index at a time.
    let pending: [Int]

    init(job: ExecutionJob) {
        self.job = job
        remaining = Dictionary(uniqueKeysWithValues: job.pending.map { ($0.replicate, $0.conditions) })
        pending = job.pending.map(\.replicate)
    }

    var replicateCount: Int { job.plan.replicates }
    var isCancelled: Bool { job.cancel.isCancelled }
    var workDirectory: String { job.workDirectory }

    private func take(_ r: Int) -> [Condition] {
        lock.lock(); defer { lock.unlock() }
        return remaining.removeValue(forKey: r) ?? []
    }

    private func accept(_ outcome: ConditionOutcome) {
        lock.lock()
        let wanted = remaining[outcome.replicate]?.contains { $0.name == outcome.condition } ?? false
        if wanted { remaining[outcome.replicate]?.removeAll { $0.name == outcome.condition }; if remaining[outcome.replicate]?.isEmpty == true { remaining[outcome.replicate] = nil } }
        lock.unlock()
        if wanted { job.sink.accept(outcome) }
    }

    func runInProcess(_ r: Int) -> Bool {
        let conditions = take(r)
        guard !conditions.isEmpty else { return true }
        let sem = DispatchSemaphore(value: 0)
        var failed = false
        let runner = job.runner, sink = job.sink
        Task.detached {
            for c in conditions {
                let o = await runner.run(replicate: r, condition: c)
                if o.failure != nil { failed = true }
                sink.accept(o)
            }
            sem.signal()
        }
        sem.wait()
        return !failed
    }

    func workerCommand(replicate: String, resultPath: String) -> [String] {
        job.worker.oneShotCommand(replicate: replicate, resultPath: resultPath)
    }

    func batchWorkerCommand(replicates: String, resultPattern: String) -> [String] {
        job.worker.batchCommand(replicates: replicates, resultPattern: resultPattern)
    }

    var mode: Int32 { job.loopMode }

    func keepLog(_ r: Int, path: String) throws {
        try RunLogs.keep(path, replicate: r, versionDirectory: job.versionDirectory)
    }

    func submitResult(_ r: Int, path: String) throws {
        let outcomes = try WorkerResultFile.read(path)
        guard outcomes.allSatisfy({ $0.replicate == r }) else { throw StoreError("\(path) holds results of another replicate than \(r)") }
        // The worker's events, kept beside its result, reach this run's subscribers first;
        // without them (a worker of a host that sent none) each outcome is still announced.
        if job.events.isActive {
            if let lines = WorkerResultFile.eventLines(beside: path) { job.events.republish(lines: lines) }
            else { for o in outcomes { job.events.publishUnrun(experiment: job.plan.name, o) } }
        }
        for o in outcomes { accept(o) }
    }

    func failReplicate(_ r: Int, message: String) {
        for c in take(r) { job.fail(replicate: r, condition: c.name, step: "<strategy>", message: message) }
    }

    func progress(_ message: String) { job.progress(message) }

    /// Replicates the strategy never ran or reported become failures, so nothing is silently lost.
    func failUnfinished(strategy: String) {
        lock.lock(); let left = remaining; remaining = [:]; lock.unlock()
        for (r, cs) in left.sorted(by: { $0.key < $1.key }) {
            for c in cs {
                job.fail(replicate: r, condition: c.name, step: "<strategy>", message: "strategy '\(strategy)' returned without running or reporting this replicate")
            }
        }
    }
}
