/// Builds a plugin's descriptor from Swift closures.
///
/// ```swift
/// @_cdecl("crystallize_plugin_entry")
/// public func entry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
///     PluginBuilder(name: "MySteps", version: "1.0").step("add_delta", params: [.f64("delta", default: 0)]) { ctx, data in
///         ...
///     }.install(host)
/// }
/// ```
public final class PluginBuilder {
    private let name: String, version: String, doc: String?
    private var exports: [crys_export] = []
    /// The lowest host minor the plugin needs: raised only by features a later minor added, so
    /// a plugin rebuilt against a newer SDK still loads on older hosts.
    var neededMinor: Int = 0
    /// Plugin-wide init and shutdown (ABI 1.1), set by `pluginInit` and `pluginShutdown`.
    var pluginState: PluginStateBox?

    /// A plugin called `name`.
    public init(name: String, version: String, doc: String? = nil) {
        self.name = name; self.version = version; self.doc = doc
    }

    /// Changes the export added last (for modifiers such as `setup`); its kind must be one of `kinds`.
    func amendLast(_ modifier: String, kinds: [crys_kind], _ change: (inout crys_export) -> Void) -> PluginBuilder {
        guard let last = exports.indices.last, kinds.contains(exports[last].kind) else {
            preconditionFailure("\(modifier) must follow the step or datasource it belongs to")
        }
        change(&exports[last])
        return self
    }

    /// Adds one export (for builders of export kinds defined in other files).
    func addExport(_ kind: crys_kind, _ name: String, doc: String?, params: [Param], flags: UInt32, user: AnyObject?,
                   fill: (inout crys_export) -> Void) -> PluginBuilder {
        add(kind, name, doc: doc, params: params, flags: flags, user: user, fill: fill)
    }

    private func add(_ kind: crys_kind, _ name: String, doc: String?, params: [Param], flags: UInt32, user: AnyObject?,
                     fill: (inout crys_export) -> Void) -> PluginBuilder {
        var e = crys_export()
        e.size = UInt32(MemoryLayout<crys_export>.size)
        e.kind = kind
        e.name = permanent(name)
        e.doc = permanent(doc)
        let ps = UnsafeMutablePointer<crys_param>.allocate(capacity: max(params.count, 1))
        for (i, p) in params.enumerated() { (ps + i).initialize(to: p.c) }
        e.params = UnsafePointer(ps)
        e.param_count = UInt32(params.count)
        e.flags = flags
        e.user = user.map { Unmanaged.passRetained($0).toOpaque() }
        fill(&e)
        exports.append(e)
        return self
    }

    static func flags(cacheable: Bool, threadSafe: Bool, async: Bool = false) -> UInt32 {
        (cacheable ? CRYS_F_CACHEABLE : 0) | (threadSafe ? CRYS_F_THREAD_SAFE : 0) | (async ? CRYS_F_ASYNC : 0)
    }

    /// A pipeline step: gets the previous output, returns its own.
    @discardableResult
    public func step(_ name: String, doc: String? = nil, params: [Param] = [], cacheable: Bool = false, threadSafe: Bool = true,
                     _ body: @escaping (StepContext, HostValue) throws -> HostValue) -> PluginBuilder {
        add(CRYS_KIND_STEP, name, doc: doc, params: params, flags: Self.flags(cacheable: cacheable, threadSafe: threadSafe),
            user: StepBox(body)) { $0.call = stepTrampoline }
    }

    /// A datasource: produces the pipeline's first value.
    @discardableResult
    public func datasource(_ name: String, doc: String? = nil, params: [Param] = [], cacheable: Bool = false, threadSafe: Bool = true,
                           _ body: @escaping (StepContext) throws -> HostValue) -> PluginBuilder {
        add(CRYS_KIND_DATASOURCE, name, doc: doc, params: params, flags: Self.flags(cacheable: cacheable, threadSafe: threadSafe),
            user: DatasourceBox(body)) { $0.call = datasourceTrampoline }
    }

    /// An asynchronous step: start the work, then call `done.succeed` or `done.fail` later.
    @discardableResult
    public func asyncStep(_ name: String, doc: String? = nil, params: [Param] = [],
                          _ body: @escaping (StepContext, HostValue, Completion) throws -> Void) -> PluginBuilder {
        add(CRYS_KIND_STEP, name, doc: doc, params: params, flags: Self.flags(cacheable: false, threadSafe: true, async: true),
            user: AsyncBox(body)) { $0.call_async = asyncTrampoline }
    }

    /// A plain C function (e.g. a Swift `@_cdecl` one) called through libffi by its declared signature.
    @discardableResult
    public func typedStep(_ name: String, doc: String? = nil, function: crys_any_fn, returns: crys_type, params: [Param],
                          kind: crys_kind = CRYS_KIND_STEP, cacheable: Bool = false) -> PluginBuilder {
        add(kind, name, doc: doc, params: params, flags: Self.flags(cacheable: cacheable, threadSafe: true), user: ExportBox()) {
            $0.typed = function
            $0.typed_return = returns
        }
    }

    /// A verifier: baseline and treatment are maps from metric name to f64 arrays.
    @discardableResult
    public func verifier(_ name: String, doc: String? = nil, params: [Param] = [],
                         _ body: @escaping (StepContext, HostValue, HostValue) throws -> HostValue) -> PluginBuilder {
        add(CRYS_KIND_VERIFIER, name, doc: doc, params: params, flags: CRYS_F_THREAD_SAFE, user: VerifierBox(body)) { $0.verify = verifyTrampoline }
    }

    /// A lifecycle hook for the given CRYS_HOOK_* events.
    @discardableResult
    public func hook(_ name: String, doc: String? = nil, events: UInt32,
                     _ body: @escaping (StepContext, UInt32, HostValue) throws -> Void) -> PluginBuilder {
        add(CRYS_KIND_HOOK, name, doc: doc, params: [], flags: 0, user: HookBox(body)) {
            $0.hook = hookTrampoline
            $0.hook_events = events
        }
    }

    /// An execution strategy: run every pending replicate of the loop.
    @discardableResult
    public func strategy(_ name: String, doc: String? = nil, params: [Param] = [],
                         _ body: @escaping (StepContext, ReplicateLoop) throws -> Void) -> PluginBuilder {
        add(CRYS_KIND_STRATEGY, name, doc: doc, params: params, flags: 0, user: StrategyBox(body)) { $0.run_loop = strategyTrampoline }
    }

    /// Builds the descriptor, records the host table, and returns the descriptor for the entry point.
    public func install(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
        hostTable = host
        let es = UnsafeMutablePointer<crys_export>.allocate(capacity: max(exports.count, 1))
        for (i, e) in exports.enumerated() { (es + i).initialize(to: e) }
        let d = UnsafeMutablePointer<crys_plugin>.allocate(capacity: 1)
        // Zero first: reserved members and everything this SDK does not set stay zero, which
        // is what lets an older host accept the (larger) descriptor.
        var p = crys_plugin()
        p.size = UInt32(MemoryLayout<crys_plugin>.size)
        p.abi_major = UInt16(CRYS_ABI_MAJOR)
        p.abi_minor = UInt16(neededMinor)
        p.abi_minor_built = UInt16(CRYS_ABI_MINOR)
        p.pointer_size = UInt32(MemoryLayout<UnsafeRawPointer>.size)
        p.name = permanent(name)
        p.version = permanent(version)
        p.doc = permanent(doc)
        p.exports = UnsafePointer(es)
        p.export_count = UInt32(exports.count)
        if let state = pluginState {
            p.`init` = state.initialize == nil ? nil : pluginInitTrampoline
            p.shutdown = state.shutdown == nil ? nil : pluginShutdownTrampoline
            p.user = Unmanaged.passRetained(state).toOpaque()
        }
        d.initialize(to: p)
        return UnsafePointer(d)
    }
}
