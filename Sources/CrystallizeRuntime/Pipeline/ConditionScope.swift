import OrderedCollections

/// The per-(replicate, condition) state a runner threads through its steps. Runners keep
/// finished scopes and reuse them, storage and all, for later conditions.
final class ConditionScope {
    /// What a scope holds for the (replicate, condition) it runs, as one value: the runner
    /// reads and writes it on every stage, so it is one field and one access.
    struct State: ~Copyable {
        private(set) var replicate = 0
        private(set) var condition = ""
        private(set) var seed: UInt64 = 0
        /// The hooks' info map (experiment, replicate, condition, seed_used), when hooks want it.
        var info: OrderedDictionary<String, Value> = [:]
        /// Artifacts written by the current step, for its cache entry.
        var written: OrderedDictionary<String, [UInt8]> = [:]
        /// Provenance of the steps run so far, encoded as each finishes.
        var records = ByteWriter(capacity: 256)
        /// How many step records `records` holds.
        var stepCount = 0
        /// Where the current step's metric values start in the context's metric log.
        var metricMark = 0
        /// The current step's cache key, when it is cached.
        var cacheKey: String?
        /// When the (replicate, condition) began, for its event (set only when events are watched).
        var startedAt: UInt64 = 0
        /// The runner's pool the scope goes back to.
        private(set) var pool = 0

        /// Readies the state for (replicate, condition), emptying what an earlier one left.
        mutating func begin(replicate: Int, condition: String, seed: UInt64, pool: Int) {
            self.replicate = replicate
            self.condition = condition
            self.seed = seed
            self.pool = pool
            if !info.isEmpty { info = [:] }
            if !written.isEmpty { written = [:] }
            records.removeAll()
            stepCount = 0
        }
    }

    // A scope belongs to one (replicate, condition) at a time and changes threads only through
    // the runner's pool lock; its state's run-time exclusivity check pays: bench/run.sh's
    // "trivial 10,000 serial" line (per-replicate overhead). See docs/ARCHITECTURE.md,
    // "Unsafe constructs".
    @exclusivity(unchecked) var state = State()
    let context: RunContext
    /// One call frame, reused by every step of the condition (they run one after another).
    let frame: CallFrame

    /// A scope whose frame lends `services(scope)` to the steps it calls.
    init(services: (ConditionScope) -> CallServices) {
        context = RunContext()
        frame = CallFrame(context: context, services: CallServices())
        frame.services = services(self)
    }

    /// Readies the scope for (replicate, condition); the context holds `contextReplicate` (the
    /// replicate's index in a longer run, see `Plan.firstReplicate`).
    func begin(replicate: Int, contextReplicate: Int, condition: Condition, seed: UInt64, pool: Int) {
        state.begin(replicate: replicate, condition: condition.name, seed: seed, pool: pool)
        context.start(replicate: contextReplicate, condition: condition, seed: seed)
    }
}

/// The keys the current step added to a context, with their values, read in place.
struct StepWrites: RandomAccessCollection {
    let context: RunContext
    var startIndex: Int { 0 }
    var endIndex: Int { context.state.writes.count }
    subscript(i: Int) -> (key: String, value: Value) {
        let key = context.state.writes[i]
        return (key, context.state.values[key]!)
    }
}
