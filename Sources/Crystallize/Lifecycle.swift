/// Setup and teardown of a step or datasource (once per run in each process that runs steps),
/// and the plugin-wide init and shutdown (once per process, ABI 1.1).

final class PluginStateBox {
    var initialize: ((StepContext) throws -> Void)?
    var shutdown: ((StepContext) -> Void)?
}

extension PluginBuilder {
    /// Runs `body` once per run, before any replicate, in each process that runs steps, for the
    /// step or datasource added just before; a throw stops the run with its message. `ctx`
    /// offers the parameters set explicitly in config.yaml, logging and the experiment's
    /// random stream (no context, no metrics).
    ///
    /// ```swift
    /// .datasource("numbers", params: [.i64("count", default: 3)]) { ctx in ... }
    ///     .setup { ctx in if let n = ctx.param("count")?.checkedInt, n < 1 { throw PluginFailure("count must be at least 1") } }
    /// ```
    @discardableResult
    public func setup(_ body: @escaping (StepContext) throws -> Void) -> PluginBuilder {
        amendLast("setup", kinds: [CRYS_KIND_STEP, CRYS_KIND_DATASOURCE]) { e in
            exportBox(e.user).setup = body
            e.setup = setupTrampoline
        }
    }

    /// Runs `body` once per run after the last replicate, in each process that ran setup, for
    /// the step or datasource added just before; a throw is reported as a warning.
    @discardableResult
    public func teardown(_ body: @escaping (StepContext) throws -> Void) -> PluginBuilder {
        amendLast("teardown", kinds: [CRYS_KIND_STEP, CRYS_KIND_DATASOURCE]) { e in
            exportBox(e.user).teardown = body
            e.teardown = teardownTrampoline
        }
    }

    /// Plugin-wide init: once per process, before the first call of any export (a worker
    /// process runs its own). A throw stops the run, naming the plugin file and the message.
    /// `ctx` offers logging and making values only: no context, parameters or metrics.
    @discardableResult
    public func pluginInit(_ body: @escaping (StepContext) throws -> Void) -> PluginBuilder {
        neededMinor = max(neededMinor, 1)
        state().initialize = body
        return self
    }

    /// Plugin-wide shutdown: once when a process whose init succeeded exits normally (a
    /// process killed by a signal runs none). It cannot fail.
    @discardableResult
    public func pluginShutdown(_ body: @escaping (StepContext) -> Void) -> PluginBuilder {
        neededMinor = max(neededMinor, 1)
        state().shutdown = body
        return self
    }

    private func state() -> PluginStateBox {
        if let s = pluginState { return s }
        let s = PluginStateBox()
        pluginState = s
        return s
    }
}

private func exportBox(_ user: UnsafeMutableRawPointer?) -> ExportBox { box(user, ExportBox.self) }

private let setupTrampoline: crys_lifecycle_fn = { ctx, user in
    do {
        try exportBox(user).setup?(StepContext(ctx!))
        return CRYS_OK
    } catch { return report(ctx, error) }
}

private let teardownTrampoline: crys_lifecycle_fn = { ctx, user in
    do {
        try exportBox(user).teardown?(StepContext(ctx!))
        return CRYS_OK
    } catch { return report(ctx, error) }
}

let pluginInitTrampoline: crys_plugin_init_fn = { ctx, user in
    do {
        try box(user, PluginStateBox.self).initialize?(StepContext(ctx!))
        return CRYS_OK
    } catch { return report(ctx, error) }
}

let pluginShutdownTrampoline: crys_plugin_shutdown_fn = { ctx, user in
    box(user, PluginStateBox.self).shutdown?(StepContext(ctx!))
}
