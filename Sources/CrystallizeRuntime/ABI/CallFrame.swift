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
/// parameters, the call's random stream and the error text the plugin sets.
public final class CallFrame {
    let context: RunContext?
    var exportName: String
    @exclusivity(unchecked) var params: OrderedDictionary<String, Value>
    /// The call's random stream, made on first use: most steps never draw.
    var rng: SeededGenerator {
        get {
            if let r = stream { return r }
            let r = streamLabels.map { SeededGenerator(seed: streamSeed, condition: $0.condition, step: $0.step) } ?? SeededGenerator(seed: streamSeed)
            stream = r
            return r
        }
        set { stream = newValue }
    }
    @exclusivity(unchecked) private var stream: SeededGenerator?
    private var streamSeed: UInt64 = 0
    private var streamLabels: (condition: String, step: String)?

    /// Gives the call the stream of (replicate seed, condition, step), made when first drawn from.
    func useStream(seed: UInt64, condition: String, step: String) {
        stream = nil
        streamSeed = seed
        streamLabels = (condition, step)
    }
    var services: CallServices
    @exclusivity(unchecked) var error: String?
    @exclusivity(unchecked) private var arena: [ValueBox] = []
    @exclusivity(unchecked) private var contextBoxes: [String: ValueBox] = [:]
    @exclusivity(unchecked) var pendingError: Error?

    /// A frame for calling `exportName`.
    public init(exportName: String, context: RunContext?, params: OrderedDictionary<String, Value>,
                rng: SeededGenerator, services: CallServices = CallServices()) {
        self.exportName = exportName
        self.context = context
        self.params = params
        self.stream = rng
        self.services = services
    }

    var pointer: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ p: OpaquePointer?) -> CallFrame? {
        guard let p else { return nil }
        return Unmanaged<CallFrame>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    /// Makes a host-owned box living as long as this frame.
    func make(_ value: Value) -> OpaquePointer {
        let b = ValueBox(value)
        arena.append(b)
        return b.pointer
    }

    /// A borrowed box for an input value.
    func borrow(_ value: Value) -> ValueBox {
        let b = ValueBox(value)
        arena.append(b)
        return b
    }

    @exclusivity(unchecked) private var paramBoxList: [ValueBox?] = []

    /// `paramBox` for a borrowed C name, without building a Swift string: `param` is called
    /// on almost every step call, and a step has only a handful of parameters to compare.
    func paramBox(cName: UnsafePointer<CChar>) -> ValueBox? {
        for (i, key) in params.keys.enumerated() where key.withCString({ strcmp($0, cName) == 0 }) {
            if paramBoxList.isEmpty { paramBoxList = Array(repeating: nil, count: params.count) }
            if let b = paramBoxList[i] { return b }
            let b = ValueBox(params.values[i])
            paramBoxList[i] = b
            return b
        }
        return nil
    }

    func contextBox(_ key: String) -> ValueBox? {
        // Reuse the box: a plugin may still hold the pointer an earlier ctx_get returned, and
        // context keys are add-only, so the cached value is still the current one.
        if let b = contextBoxes[key] { return b }
        guard let v = context?.get(key) else { return nil }
        let b = ValueBox(v)
        contextBoxes[key] = b
        return b
    }

    /// Drops every value made during the call.
    func reset() { arena.removeAll(keepingCapacity: true); paramBoxList.removeAll(); contextBoxes.removeAll(); error = nil; pendingError = nil }
}
