import OrderedCollections

/// The per-(replicate, condition) state a runner threads through its steps. Runners keep
/// finished scopes and reuse them, storage and all, for later conditions.
final class ConditionScope {
    // Each field marked @exclusivity(unchecked) is read and written on the path every replicate takes,
    // by one thread at a time; its run-time check pays: bench/run.sh's "trivial 10,000 serial" line
    // (per-replicate overhead). See docs/ARCHITECTURE.md, "Unsafe constructs".

    @exclusivity(unchecked) private(set) var replicate = 0
    @exclusivity(unchecked) private(set) var condition = ""
    @exclusivity(unchecked) private(set) var seed: UInt64 = 0
    let context: RunContext
    /// One call frame, reused by every step of the condition (they run one after another).
    @exclusivity(unchecked) var frame: CallFrame!
    /// The hooks' info map (experiment, replicate, condition, seed_used), when hooks want it.
    @exclusivity(unchecked) var info: OrderedDictionary<String, Value> = [:]
    /// Artifacts written by the current step, for its cache entry.
    @exclusivity(unchecked) var written: OrderedDictionary<String, [UInt8]> = [:]
    /// Provenance of the steps run so far, encoded as each finishes.
    @exclusivity(unchecked) var records = ByteWriter(capacity: 256)
    /// How many step records `records` holds.
    @exclusivity(unchecked) var stepCount = 0
    /// Where the current step's metric values start in the context's metric log.
    @exclusivity(unchecked) var metricMark = 0
    /// The current step's cache key, when it is cached.
    @exclusivity(unchecked) var cacheKey: String?
    /// When the (replicate, condition) began, for its event (set only when events are watched).
    var startedAt: UInt64 = 0

    /// The runner's pool the scope goes back to.
    @exclusivity(unchecked) private(set) var pool = 0

    init(context: RunContext) { self.context = context }

    /// Readies the scope for (replicate, condition), emptying what an earlier one left; the
    /// context holds `contextReplicate` (the replicate's index in a longer run, see
    /// `Plan.firstReplicate`).
    func begin(replicate: Int, contextReplicate: Int, condition: Condition, seed: UInt64, pool: Int) {
        self.replicate = replicate
        self.condition = condition.name
        self.seed = seed
        self.pool = pool
        context.start(replicate: contextReplicate, condition: condition, seed: seed)
        if !info.isEmpty { info = [:] }
        if !written.isEmpty { written = [:] }
        records.removeAll()
        stepCount = 0
    }
}

/// The keys the current step added to a context, with their values, read in place.
struct StepWrites: RandomAccessCollection {
    let context: RunContext
    var startIndex: Int { 0 }
    var endIndex: Int { context.writes.count }
    subscript(i: Int) -> (key: String, value: Value) {
        let key = context.writes[i]
        return (key, context.values[key]!)
    }
}
