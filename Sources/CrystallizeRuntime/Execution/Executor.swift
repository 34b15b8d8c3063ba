import Foundation

/// Receives outcomes as replicates finish; implementations are thread-safe.
public protocol OutcomeSink: AnyObject {
    /// Called once per finished (replicate, condition), from any thread.
    func accept(_ outcome: consuming ConditionOutcome)
}

/// Set by Ctrl-C; executors stop scheduling when it is set.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var handlers: [() -> Void] = []
    /// A flag that is not set.
    public init() {}
    /// Whether the run was cancelled.
    public var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return value }
    /// Sets the flag and runs the cancellation handlers once.
    public func cancel() {
        lock.lock()
        if value { lock.unlock(); return }
        value = true
        let hs = handlers
        lock.unlock()
        hs.forEach { $0() }
    }
    /// Runs `handler` on cancellation (at once if already cancelled).
    public func onCancel(_ handler: @escaping () -> Void) {
        lock.lock()
        if value { lock.unlock(); handler(); return }
        handlers.append(handler)
        lock.unlock()
    }
}

/// Everything an execution strategy needs to run the pending work of a run.
public struct ExecutionJob {
    /// The plan.
    public let plan: Plan
    /// Pending work: each replicate with the conditions it has yet to run.
    public let pending: PendingWork
    /// In-process runner.
    public let runner: ReplicateRunner
    /// Where outcomes go.
    public let sink: OutcomeSink
    /// Ctrl-C.
    public let cancel: CancellationFlag
    /// Worker processes: how to launch one.
    public let worker: WorkerLauncher
    /// A private folder of this run for strategy files.
    public let workDirectory: String
    /// Progress lines from strategies.
    public let progress: (String) -> Void
    /// Warnings.
    public let warn: (String) -> Void
    /// The run's events: worker processes' events are published here again.
    public let events: RunEventBus
    /// The version folder the run writes into (per-replicate logs go under it).
    public var versionDirectory: String = ""
    /// What a plugin strategy is asked to do (CRYS_LOOP_RUN, _DETACH, _STATUS, _CANCEL).
    public var loopMode: Int32 = 0

    /// Fails a (replicate, condition) that no runner ran (a worker that could not start or
    /// died, a strategy that gave up on it): its outcome goes to the sink, its events to the bus.
    func fail(replicate r: Int, condition: String, step: String, message: String) {
        let o = ConditionOutcome.failed(replicate: r, condition: condition, seedUsed: plan.seedUsed(replicate: r), step: step, message: message)
        events.publishUnrun(experiment: plan.name, o)
        sink.accept(o)
    }
}

/// What the engine needs to know of a strategy before it runs one.
public struct StrategyTraits: Equatable, Sendable {
    /// Whether steps run in this process (so their setup and teardown run here too); false
    /// when every step runs in worker processes, which set up their own.
    public var runsStepsInProcess = true
    /// Whether steps of different replicates may run at once on several threads of this
    /// process (a step that is not thread-safe then has its calls serialized).
    public var callsStepsConcurrently = false
    /// Whether replicates may go on outside this host's lifetime (a cluster's scheduler runs
    /// them), so a run can be detached from, looked at and cancelled: the strategy follows the
    /// loop mode it is given (run, detach, status, cancel).
    public var followsLoopModes = false

    /// Traits; the defaults describe a serial, in-process strategy.
    public init(runsStepsInProcess: Bool = true, callsStepsConcurrently: Bool = false, followsLoopModes: Bool = false) {
        self.runsStepsInProcess = runsStepsInProcess
        self.callsStepsConcurrently = callsStepsConcurrently
        self.followsLoopModes = followsLoopModes
    }
}

/// How replicates are run. Built-in strategies and plugin run loops implement this.
public protocol ExecutionStrategy {
    /// What the engine needs to know of this strategy.
    var traits: StrategyTraits { get }
    /// Runs every pending item of `job` (or stops early on cancellation).
    func execute(_ job: ExecutionJob) async throws
    /// Checks the strategy's parameters when planning, so a bad config never starts a run.
    func checkParameters() throws
}

extension ExecutionStrategy {
    /// Serial and in-process, unless a strategy says otherwise.
    public var traits: StrategyTraits { StrategyTraits() }
    /// Built-in strategies take no parameters beyond workers, checked with the config.
    public func checkParameters() throws {}
}

/// Picks the strategy named in the settings.
public enum ExecutionStrategies {
    /// The built-in names.
    public static let builtins = ["serial", "threads", "processes", "async"]

    /// The strategy for `settings`, looking plugin strategies up in `registry`.
    public static func make(_ settings: ExecutionSettings, registry: PluginRegistry) throws -> ExecutionStrategy {
        switch settings.strategy {
        case "serial": return SerialStrategy()
        case "threads": return ThreadsStrategy(workers: settings.workers)
        case "processes": return ProcessesStrategy(workers: settings.workers)
        case "async": return AsyncStrategy(inFlight: settings.workers)
        default:
            do {
                return PluginStrategy(export: try registry.find(.strategy, settings.strategy), params: settings.params)
            } catch {
                throw PluginError(message: "unknown execution strategy '\(settings.strategy)'; built in: \(builtins.joined(separator: ", "))" +
                    (registry.exports(of: .strategy).isEmpty ? "" : "; from plugins: " + registry.exports(of: .strategy).map(\.name).joined(separator: ", ")))
            }
        }
    }
}

/// One replicate after another, in this thread of control.
struct SerialStrategy: ExecutionStrategy {
    func execute(_ job: ExecutionJob) async throws {
        let runner = job.runner
        for item in job.pending {
            if job.cancel.isCancelled { return }
            for c in item.conditions {
                job.sink.accept(runner.isSynchronous ? runner.runSynchronously(replicate: item.replicate, condition: c)
                                                     : await runner.run(replicate: item.replicate, condition: c))
            }
        }
    }
}

/// Up to N replicates in flight as tasks on the cooperative pool: async steps suspend instead
/// of blocking a thread, so many can wait at once on a few threads.
struct AsyncStrategy: ExecutionStrategy {
    let inFlight: Int
    var traits: StrategyTraits { StrategyTraits(callsStepsConcurrently: inFlight > 1) }
    func execute(_ job: ExecutionJob) async throws {
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func add() -> Bool {
                guard next < job.pending.count, !job.cancel.isCancelled else { return false }
                let item = job.pending[next]; next += 1
                group.addTask {
                    for c in item.conditions { job.sink.accept(await job.runner.run(replicate: item.replicate, condition: c)) }
                }
                return true
            }
            for _ in 0..<max(inFlight, 1) { if !add() { break } }
            while await group.next() != nil { _ = add() }
        }
    }
}
