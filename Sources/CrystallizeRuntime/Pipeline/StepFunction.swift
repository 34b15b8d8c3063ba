import CCrystallize
import Foundation
import OrderedCollections

/// A callable step or datasource: a plugin export (value, async or typed) or any C symbol
/// named in config.yaml with its signature.
public final class StepFunction {
    enum Body {
        case value(crys_export)
        case async(crys_export)
        case typed(TypedFunction)
    }

    /// The name it is known by (export or symbol name).
    public let name: String
    /// Declared parameters.
    public let params: [ParamSpec]
    /// May outputs be cached?
    public let cacheable: Bool
    /// May it run on several threads at once?
    public let threadSafe: Bool
    /// The declared parameters other than `data`, the order a call's resolved values take.
    let paramTable: ParamTable
    /// For a typed function, where each C-order parameter's value comes from: the pipeline's
    /// data, or a position in `paramTable` (worked out once, not on every call).
    private let typedArguments: [TypedArgument]
    /// sha256 of the library binary it lives in.
    public let binarySHA256: String
    /// The library path.
    public let libraryPath: String
    /// The export, when it comes from a plugin descriptor.
    public let export: PluginExport?
    let body: Body
    /// Serializes calls to exports that are not thread-safe.
    let serialLock = NSLock()

    /// A plugin export.
    public init(export e: PluginExport) throws {
        name = e.qualifiedName
        params = e.params
        paramTable = ParamTable(e.params)
        typedArguments = TypedArgument.plan(e.params, table: paramTable)
        cacheable = e.cacheable
        threadSafe = e.threadSafe
        binarySHA256 = e.plugin.sha256
        libraryPath = e.plugin.realPath
        export = e
        if e.isTyped, let fn = e.raw.typed {
            body = .typed(try TypedFunction(fn: unsafeBitCast(fn, to: UnsafeMutableRawPointer.self), params: e.params, returnType: e.typedReturn, what: "\(e.kind.rawValue) '\(e.qualifiedName)'"))
        } else if e.isAsync {
            body = .async(e.raw)
        } else {
            body = .value(e.raw)
        }
    }

    /// Any exported C symbol of any library, with its signature written out.
    public init(library: String, signature: String, cacheable: Bool, what: String) throws {
        let parsed = try SignatureParser.parse(signature)
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            throw PluginError(message: "\(what): cannot open library '\(library)': \(dlerror().map { String(cString: $0) } ?? "?")")
        }
        guard let sym = dlsym(handle, parsed.name) else {
            throw PluginError(message: "\(what): library '\(library)' has no symbol '\(parsed.name)'")
        }
        let path = StepFunction.libraryContaining(sym) ?? library
        name = parsed.name
        params = parsed.params
        paramTable = ParamTable(parsed.params)
        typedArguments = TypedArgument.plan(parsed.params, table: paramTable)
        self.cacheable = cacheable
        threadSafe = true
        libraryPath = path
        binarySHA256 = FileManager.default.contents(atPath: path).map { ValueHash.hex(bytes: $0) } ?? "unreadable:\(path)"
        export = nil
        body = .typed(try TypedFunction(fn: sym, params: parsed.params, returnType: parsed.returnType, what: what))
    }

    /// Whether this is an async step.
    public var isAsync: Bool { if case .async = body { return true } else { return false } }

    /// Calls it. `params` are resolved (every declared one present); `frame` carries the
    /// context, random stream and services. Throws the plugin's error text.
    func invoke(data: Value?, frame: CallFrame) async throws -> Value {
        if case .async(let e) = body { return try await invokeAsync(e, data: data, frame: frame) }
        return try invokeSync(data: data, frame: frame)
    }

    /// Calls a synchronous step (the pipeline's fast path when no step is async).
    func invokeSync(data: Value?, frame: CallFrame) throws -> Value {
        if threadSafe { return try invokeUnlocked(data: data, frame: frame) }
        return try serialLock.withLock { try invokeUnlocked(data: data, frame: frame) }
    }

    private func invokeUnlocked(data: Value?, frame: CallFrame) throws -> Value {
        switch body {
        case .typed(let fn):
            // The arguments live on the stack for the call; the frame's values are in this
            // function's parameter order (`data` left out) when it was readied for this function.
            let aligned = frame.paramTable === paramTable
            return try withUnsafeTemporaryAllocation(of: Value.self, capacity: max(params.count, 1)) { slots in
                let args = slots.baseAddress!
                var made = 0
                defer { args.deinitialize(count: made) }
                var arrayArg: DoubleArray? = nil
                for (i, arg) in typedArguments.enumerated() {
                    var v: Value
                    if arg.isData { v = data ?? .null }
                    else if aligned { v = arg.param < frame.state.paramValues.count ? frame.state.paramValues[arg.param] : .null }
                    else { v = frame.param(params[i].name) ?? .null }
                    if arg.type == .f64Array {
                        if case .list = v, let ds = v.asDoubles { v = .doubles(DoubleArray.copy(of: ds)) }
                        if arg.isData, case .doubles(let a) = v { arrayArg = a }
                        // Only the data is filled in place: an array from the context or the
                        // config is read-only, so the function gets a private copy of it.
                        else if case .doubles(let a) = v { v = .doubles(DoubleArray.copy(of: a.values)) }
                    }
                    guard arg.type.accepts(v) else {
                        throw StepCallError(message: "parameter '\(params[i].name)' must be \(arg.type.rawValue), got \(v.typeName)")
                    }
                    (args + made).initialize(to: v)
                    made += 1
                }
                if let r = fn.call(UnsafeBufferPointer(start: args, count: made)) { return r }
                if let a = arrayArg { return .doubles(a) }
                return data ?? .null
            }
        case .value(let e):
            let dataBox = data.map { frame.lend($0) }
            var out: OpaquePointer? = nil
            let status = e.call!(frame.pointer, dataBox, &out, e.user)
            if status != CRYS_OK { throw StepCallError(message: frame.error ?? "returned status \(status)") }
            return ValueBox.peek(out, .null) { $0.value }
        case .async:
            throw StepCallError(message: "internal: async step called synchronously")
        }
    }

    private func invokeAsync(_ e: crys_export, data: Value?, frame: CallFrame) async throws -> Value {
        let dataBox = data.map { frame.lend($0) }
        return try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Value, Error>) in
            let completion = AsyncCompletion { status, out, error in
                if status == CRYS_OK { cont.resume(returning: out ?? .null) }
                else { cont.resume(throwing: StepCallError(message: error ?? frame.error ?? "completed with status \(status)")) }
            }
            let token = completion.retainedPointer
            let status = e.call_async!(frame.pointer, dataBox, token, e.user)
            if status != CRYS_OK {
                // The plugin refused to start: it must not complete, so take our reference back.
                Unmanaged<AsyncCompletion>.fromOpaque(UnsafeRawPointer(token)).release()
                cont.resume(throwing: StepCallError(message: frame.error ?? "could not start (status \(status))"))
            }
        }
    }

    /// The real file of the loaded library that holds `address`, so a symbol named by a bare
    /// library name ("libm.so.6") is fingerprinted by its file. Asks the dynamic loader
    /// (dladdr): reading /proc/self/maps through Foundation sometimes came back short, which
    /// made the step's identity, and so its cache key and resume decision, flip between runs.
    static func libraryContaining(_ address: UnsafeMutableRawPointer) -> String? {
        // Glibc's Swift module hides dladdr (a _GNU_SOURCE function), so look it up at run time.
        // Dl_info is four pointers; the first, dli_fname, is the library's file name.
        typealias Dladdr = @convention(c) (UnsafeRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?) -> Int32
        guard let fn = dlsym(nil, "dladdr") else { return nil }
        var info = [UnsafeRawPointer?](repeating: nil, count: 4)
        guard unsafeBitCast(fn, to: Dladdr.self)(address, &info) != 0, let file = info[0] else { return nil }
        return URL(fileURLWithPath: String(cString: file.assumingMemoryBound(to: CChar.self))).resolvingSymlinksInPath().path
    }

    /// Runs the export's setup or teardown, if it has one.
    func lifecycle(setup: Bool, params: OrderedDictionary<String, Value>, seed: UInt64 = 0) throws {
        guard let e = export?.raw, let fn = setup ? e.setup : e.teardown else { return }
        let frame = CallFrame(exportName: name, context: nil, params: params, rng: SeededGenerator(seed: seed))
        if fn(frame.pointer, e.user) != CRYS_OK {
            throw StepCallError(message: "\(setup ? "setup" : "teardown") of '\(name)' failed: \(frame.error ?? "no message")")
        }
    }
}

/// Where one argument of a typed function call comes from.
struct TypedArgument {
    /// The pipeline's data (a parameter named `data`).
    let isData: Bool
    /// Otherwise the parameter's position in the function's `ParamTable`.
    let param: Int
    let type: ParamType

    static func plan(_ params: [ParamSpec], table: ParamTable) -> [TypedArgument] {
        params.map { p in
            let at = table.index(of: p.name)
            return TypedArgument(isData: at == nil, param: at ?? -1, type: p.type)
        }
    }
}

/// A step call failed; the message is the plugin's own.
public struct StepCallError: Error, CustomStringConvertible {
    /// The plugin's message.
    public var message: String
    /// Same as `message`.
    public var description: String { message }
}
