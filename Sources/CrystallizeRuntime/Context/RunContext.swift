import OrderedCollections

/// A context rule was broken; the message names the key and the step.
public struct ContextError: Error, CustomStringConvertible {
    /// What happened.
    public var description: String
}

/// The state one (replicate, condition) carries through its pipeline.
///
/// As in crystallize-ml, keys are add-only: a step may add a key but never overwrite one, so a
/// step's view of the context can only grow. Metrics are lists (one value per recording).
/// Reads and writes are kept per step for provenance.
///
/// A context belongs to one (replicate, condition) at a time: runners hand contexts between
/// threads only through their pool's lock, which is what lets its fields go unchecked.
public final class RunContext {
    /// Everything a context holds, as one value: the runner and the host table read and write
    /// it on every step call, so it is one field and one access.
    struct State {
        /// Context keys and values, in insertion order.
        var values: OrderedDictionary<String, Value> = [:]
        /// Metric name to the tags it was recorded with.
        var metricTags: OrderedDictionary<String, [String]> = [:]
        /// The step currently running, for error messages and provenance.
        var currentStep = "<host>"
        /// Keys read by the current step, with the values read, in reading order (each key once).
        var readLog: [(key: String, value: Value)] = []
        /// Keys written by the current step.
        var writes: [String] = []
        /// Every metric value recorded, in order: a step's share is what it appended, which
        /// makes its provenance record without comparing metric lists before and after.
        var metricLog: [RecordedMetric] = []
        /// The condition whose host keys the context holds first, in `hostKeyCount` places,
        /// when they can be reused (no treatment key shadows a host key).
        var hostLayout: String?
        var hostKeyCount = 0
    }

    // A context belongs to one (replicate, condition) at a time and changes threads only
    // through the runner's pool lock; its state's run-time exclusivity check pays:
    // bench/run.sh's "trivial 10,000 serial" line (per-replicate overhead). See
    // docs/ARCHITECTURE.md, "Unsafe constructs".
    @exclusivity(unchecked) private(set) var state = State()

    /// Context keys and values, in insertion order.
    public var values: OrderedDictionary<String, Value> { state.values }
    /// Metric name to recorded values, in recording order (grouped from `metricLog`).
    public var metrics: OrderedDictionary<String, [Value]> { RecordedMetric.grouped(state.metricLog[...]) }
    /// Every metric value recorded, in order.
    public var metricLog: [RecordedMetric] { state.metricLog }
    /// `readLog` as a map.
    public var reads: OrderedDictionary<String, Value> { OrderedDictionary(uniqueKeysWithValues: state.readLog) }
    /// The step currently running.
    var currentStep: String { state.currentStep }

    /// An empty context.
    public init() {}

    /// Reads `key`, recording the read for provenance.
    public func get(_ key: String) -> Value? {
        guard let i = position(of: key) else { return nil }
        return read(at: i)
    }

    /// Reads the host key at `position` (see `start`), recording the read for provenance.
    func readHostKey(at position: Int) -> Value { read(at: position) }

    /// The value at `position`, its key noted in the step's reads the first time.
    private func read(at position: Int) -> Value {
        let key = state.values.keys[position], v = state.values.values[position]
        // A step reads a handful of keys: a scan beats hashing them.
        if !state.readLog.contains(where: { Self.same($0.key, key) }) { state.readLog.append((key, v)) }
        return v
    }

    /// Whether every key is one the host set: no step has added one since `start`.
    var holdsOnlyHostKeys: Bool { state.values.count == state.hostKeyCount }

    /// The host keys a context holds under `condition`, in their positions (the replicate and
    /// seed values are placeholders): what parameter sources are planned against.
    static func hostKeys(of condition: Condition) -> OrderedDictionary<String, Value> {
        let scratch = RunContext()
        scratch.start(replicate: 0, condition: condition, seed: 0)
        return scratch.values
    }

    /// Where `key` is among the context's keys. A context holds a handful of keys, mostly
    /// of different lengths: comparing lengths first skips the full string comparison (a
    /// call into the runtime) for nearly every key that is not the one asked for.
    private func position(of key: String) -> Int? {
        if state.values.count > 16 { return state.values.index(forKey: key) }
        return state.values.keys.withContiguousStorageIfAvailable { keys in
            for i in keys.indices where Self.same(keys[i], key) { return i }
            return nil
        } ?? state.values.index(forKey: key)
    }

    @inline(__always)
    private static func same(_ a: String, _ b: String) -> Bool { a.utf8.count == b.utf8.count && a == b }

    /// Adds `key`; adding an existing key is an error naming the key and the step.
    public func add(_ key: String, _ value: Value) throws {
        if position(of: key) != nil {
            throw ContextError(description: "step '\(state.currentStep)' tried to overwrite context key '\(key)' (context keys are add-only)")
        }
        state.values[key] = value
        state.writes.append(key)
    }

    /// Sets a key the host owns (replicate, condition, seed_used, treatment values).
    func setHostKey(_ key: String, _ value: Value) { state.values[key] = value }

    /// Appends `value` to metric `name`.
    public func recordMetric(_ name: String, _ value: Value, tags: [String] = []) {
        state.metricLog.append(RecordedMetric(name: name, value: value))
        if !tags.isEmpty {
            var t = state.metricTags[name, default: []]
            for tag in tags where !t.contains(tag) { t.append(tag) }
            state.metricTags[name] = t
        }
    }

    /// Empties the context for (replicate, condition) and sets the keys the host owns:
    /// replicate, condition, seed_used, then the condition's own keys. A runner reuses its
    /// contexts; when the previous condition was this one, those keys are already in place
    /// and only the replicate and seed values change.
    func start(replicate: Int, condition: Condition, seed: UInt64) {
        let reuse = state.hostLayout == condition.name
        reset(keepingFirst: reuse ? state.hostKeyCount : 0)
        if reuse {
            state.values.values[0] = .int(Int64(replicate))
            state.values.values[2] = .int(Int64(seed))
            return
        }
        setHostKey("replicate", .int(Int64(replicate)))
        setHostKey("condition", .string(condition.name))
        setHostKey("seed_used", .int(Int64(seed)))
        for (k, v) in condition.additions { setHostKey(k, v) }
        state.hostKeyCount = state.values.count
        state.hostLayout = state.values.count == 3 + condition.additions.count ? condition.name : nil
    }

    /// Empties the context, keeping its storage and its first `kept` keys.
    private func reset(keepingFirst kept: Int) {
        if state.values.count > kept {
            if kept == 0 { state.values.removeAll(keepingCapacity: true) } else { state.values.removeSubrange(kept..<state.values.count) }
        }
        if !state.metricTags.isEmpty { state.metricTags = [:] }
        // The finished outcome took the log's storage: start a new one rather than copy it.
        state.metricLog = []
        state.currentStep = "<host>"
        if !state.readLog.isEmpty { state.readLog.removeAll(keepingCapacity: true) }
        if !state.writes.isEmpty { state.writes.removeAll(keepingCapacity: true) }
    }

    /// Starts bookkeeping for `step`.
    func beginStep(_ step: String) {
        state.currentStep = step
        if !state.readLog.isEmpty { state.readLog.removeAll(keepingCapacity: true) }
        if !state.writes.isEmpty { state.writes.removeAll(keepingCapacity: true) }
    }
}
