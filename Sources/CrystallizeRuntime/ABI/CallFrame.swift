import CCrystallize
#if canImport(Glibc)
import Glibc
#endif
import OrderedCollections

/// What a call frame may do beyond its context: services the engine lends to one call.
public struct CallServices {
    /// Writes an artifact file for the current (replicate, condition, step).
    public var writeArtifact: ((String, [UInt8]) throws -> Void)?
    /// Writes a declared output through its configured writer.
    public var writeOutput: ((String, Value) throws -> Void)?
    /// Receives log lines.
    public var log: ((Int32, String) -> Void)?

    /// No services.
    public init(writeArtifact: ((String, [UInt8]) throws -> Void)? = nil,
                writeOutput: ((String, Value) throws -> Void)? = nil,
                log: ((Int32, String) -> Void)? = nil) {
        self.writeArtifact = writeArtifact
        self.writeOutput = writeOutput
        self.log = log
    }
}

/// The host-side object behind a `crys_ctx *`: one invocation of a plugin callback.
///
/// It owns every value the plugin makes during the call (its arena), the resolved
/// parameters, the call's random stream and the error text the plugin sets. A pipeline reuses
/// one frame for every step of a (replicate, condition), and the runner reuses frames across
/// conditions: `begin` readies it for the next call, keeping its boxes for reuse, so a step
/// call allocates nothing for the values it is lent or makes.
public final class CallFrame {
    /// Everything a call changes, as one value: the host table and the runner read and write
    /// it on every step call, so it is one field and one access.
    struct State {
        var exportName: String
        /// The declared parameters of the callable, and their resolved values in the same order.
        fileprivate(set) var paramTable: ParamTable = .empty
        fileprivate var paramTableID = ObjectIdentifier(ParamTable.empty)
        var paramValues: [Value] = []
        /// For each parameter, the arena slot of the box lent for it (-1: none yet).
        fileprivate var paramSlots: [Int] = []
        /// The call's random stream; `streamReady` says whether it is made yet (most steps
        /// never draw, so it is made on first use, and drawn from in place).
        fileprivate var stream = SeededGenerator(seed: 0)
        fileprivate var streamReady = true
        fileprivate var streamSeed: UInt64 = 0
        /// The labels of the stream to make: (condition, step) when `labelled`, else the stage
        /// position when `staged`, else none (a plain seeded stream).
        fileprivate var labelled = false
        fileprivate var staged = false
        fileprivate var streamStage = 0
        fileprivate var streamCondition = ""
        fileprivate var streamStep = ""
        var error: String?
        /// Every box made or lent during the call; the first `used` are live, the rest wait
        /// for reuse.
        fileprivate var arena: [ValueBox] = []
        /// The same boxes, unretained: the call path reaches them without reference counting,
        /// `arena` keeping them alive.
        fileprivate var slots: [Unmanaged<ValueBox>] = []
        /// Whether `contextBoxes` holds anything.
        fileprivate var lentContext = false
        fileprivate var used = 0
        fileprivate var contextBoxes: [String: ValueBox] = [:]
        /// Metric names seen by this frame: a pipeline records the same few names on every
        /// replicate, so the Swift string is made once, not on every `record_metric`.
        fileprivate var metricNames: [(c: ContiguousArray<CChar>, name: String)] = []
    }

    // A frame serves one call at a time, on the call's thread (frames change threads only
    // through the runner's pool lock); its state's run-time exclusivity check pays:
    // bench/run.sh's "trivial 10,000 serial" line (per-replicate overhead). See
    // docs/ARCHITECTURE.md, "Unsafe constructs".
    @exclusivity(unchecked) var state: State
    let context: RunContext?
    var services: CallServices
    /// The callable's name, for messages.
    var exportName: String { state.exportName }
    /// The declared parameters of the callable.
    var paramTable: ParamTable { state.paramTable }
    /// The resolved parameter values, in `paramTable`'s order.
    var paramValues: [Value] { state.paramValues }
    /// The error text the plugin set during the call.
    var error: String? {
        get { state.error }
        set { state.error = newValue }
    }

    /// A frame for calling `exportName` with already resolved `params` (hooks, verifiers,
    /// strategies, lifecycle calls, benchmarks).
    public convenience init(exportName: String, context: RunContext?, params: OrderedDictionary<String, Value>,
                            rng: SeededGenerator, services: CallServices = CallServices()) {
        self.init(exportName: exportName, context: context, services: services)
        if !params.isEmpty {
            state.paramTable = ParamTable(names: params.keys)
            state.paramTableID = ObjectIdentifier(state.paramTable)
            state.paramValues = Array(params.values)
            state.paramSlots = Array(repeating: -1, count: params.count)
        }
        state.stream = rng
        state.streamReady = true
    }

    /// A frame for a pipeline: `begin` names each call.
    init(exportName: String = "", context: RunContext?, services: CallServices) {
        state = State(exportName: exportName)
        self.context = context
        self.services = services
    }

    var pointer: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ p: OpaquePointer?) -> CallFrame? {
        guard let p else { return nil }
        return Unmanaged<CallFrame>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    /// `body` applied to the frame behind `p` (`none` when null), without retaining it: the
    /// caller of the plugin keeps the frame alive for the whole call.
    @inline(__always)
    static func peek<R>(_ p: OpaquePointer?, _ none: R, _ body: (CallFrame) -> R) -> R { peekObject(p, none, body) }

    /// Readies the frame for a call of `exportName` taking the parameters of `table`, whose
    /// values the caller then writes into `paramValues`. Values of the previous call are
    /// dropped (their boxes are kept for reuse).
    func begin(_ exportName: String, params table: ParamTable) {
        reset()
        state.exportName = exportName
        let id = ObjectIdentifier(table)
        if id != state.paramTableID {
            state.paramTable = table
            state.paramTableID = id
            // `reset` keeps every slot at -1; only grow.
            if state.paramSlots.count < table.count { state.paramSlots.append(contentsOf: repeatElement(-1, count: table.count - state.paramSlots.count)) }
        }
        // From the end, one by one: a step has a value or two, and removeAll(keepingCapacity:)
        // takes Array's general replaceSubrange path, which costs more than that on every call.
        while !state.paramValues.isEmpty { state.paramValues.removeLast() }
    }

    /// Gives the call the stream of (replicate seed, condition, step), made when first drawn from.
    func useStream(seed: UInt64, condition: String, step: String) {
        state.streamReady = false
        state.streamSeed = seed
        state.staged = false
        state.labelled = true
        state.streamCondition = condition
        state.streamStep = step
    }

    /// Gives the call the common stream of (replicate seed, stage position), the same in every
    /// condition; made when first drawn from.
    func useStream(seed: UInt64, stage: Int) {
        state.streamReady = false
        state.streamSeed = seed
        state.labelled = false
        state.staged = true
        state.streamStage = stage
    }

    /// Whether the call drew from the stream `useStream` gave it (the stream is made on the
    /// first draw).
    var drewFromStream: Bool { state.streamReady }

    /// 64 random bits from the call's stream, drawn in place.
    func randomBits() -> UInt64 {
        makeStream()
        return state.stream.next()
    }

    /// A uniform variate in [0, 1) from the call's stream.
    func randomUniform() -> Double {
        makeStream()
        return state.stream.uniform()
    }

    /// A normal variate from the call's stream.
    func randomNormal(mean: Double, sd: Double) -> Double {
        makeStream()
        return state.stream.normal(mean: mean, sd: sd)
    }

    @inline(__always)
    private func makeStream() {
        if state.streamReady { return }
        if state.staged { state.stream = SeededGenerator(seed: state.streamSeed, stage: state.streamStage) }
        else if state.labelled { state.stream = SeededGenerator(seed: state.streamSeed, condition: state.streamCondition, step: state.streamStep) }
        else { state.stream = SeededGenerator(seed: state.streamSeed) }
        state.streamReady = true
    }

    /// The resolved value of parameter `name`, if the callable declares it.
    func param(_ name: String) -> Value? {
        guard let i = state.paramTable.index(of: name), i < state.paramValues.count else { return nil }
        return state.paramValues[i]
    }

    /// Makes a host-owned box living until the frame's next call.
    func make(_ value: Value) -> OpaquePointer { lend(value) }

    /// A read-only box for `value` (see `ValueBox.readOnly`), lent to the plugin until the
    /// frame's next call.
    func borrow(_ value: Value) -> ValueBox {
        let b = ValueBox.from(lend(value))!
        b.readOnly = true
        return b
    }

    /// `borrow`, as the pointer handed to the plugin.
    func lend(_ value: Value) -> OpaquePointer {
        if state.used < state.slots.count {
            let b = state.slots[state.used]
            state.used += 1
            b._withUnsafeGuaranteedRef { $0.value = value }
            return OpaquePointer(b.toOpaque())
        }
        let b = ValueBox(value)
        state.arena.append(b)
        state.slots.append(Unmanaged.passUnretained(b))
        state.used += 1
        return b.pointer
    }

    /// The box of parameter `cName` (a borrowed C name, compared without building a Swift
    /// string: `param` runs on almost every step call). Asking twice gives the same box.
    func paramBox(cName: UnsafePointer<CChar>) -> OpaquePointer? {
        guard let i = state.paramTable.index(cName: cName), i < state.paramValues.count else { return nil }
        if state.paramSlots[i] >= 0 { return OpaquePointer(state.slots[state.paramSlots[i]].toOpaque()) }
        state.paramSlots[i] = state.used
        let p = lend(state.paramValues[i])
        // A parameter may be a context value or the config's own: lent read-only.
        ValueBox.peek(p, ()) { $0.readOnly = true }
        return p
    }

    func contextBox(_ key: String) -> ValueBox? {
        // Reuse the box: a plugin may still hold the pointer an earlier ctx_get returned, and
        // context keys are add-only, so the cached value is still the current one.
        if let b = state.contextBoxes[key] { return b }
        guard let v = context?.get(key) else { return nil }
        let b = borrow(v)
        state.contextBoxes[key] = b
        state.lentContext = true
        return b
    }

    /// The metric name `cName` as a Swift string (made once per name and frame).
    func metricName(_ cName: UnsafePointer<CChar>) -> String {
        for entry in state.metricNames where entry.c.withUnsafeBufferPointer({ strcmp($0.baseAddress!, cName) == 0 }) { return entry.name }
        let name = String(cString: cName)
        if state.metricNames.count < 16 { state.metricNames.append((ContiguousArray(name.utf8CString), name)) }
        return name
    }

    /// Drops every value made or lent during the call; the boxes stay for the next one.
    func reset() {
        for i in 0..<state.used { state.slots[i]._withUnsafeGuaranteedRef { $0.recycle() } }
        state.used = 0
        for i in state.paramSlots.indices { state.paramSlots[i] = -1 }
        if state.lentContext { state.contextBoxes.removeAll(keepingCapacity: true); state.lentContext = false }
        if state.error != nil { state.error = nil }
    }
}
