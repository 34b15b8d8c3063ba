/// C entry points that forward to the Swift closures kept in each export's `user` pointer,
/// turning thrown errors into a status plus an error message, as the ABI requires.

/// What every export's `user` pointer holds: its callbacks, plus the setup and teardown a
/// step or datasource may have.
class ExportBox {
    var setup: ((StepContext) throws -> Void)?
    var teardown: ((StepContext) throws -> Void)?
}

final class StepBox: ExportBox {
    let body: (StepContext, HostValue) throws -> HostValue
    init(_ body: @escaping (StepContext, HostValue) throws -> HostValue) { self.body = body }
}
final class DatasourceBox: ExportBox {
    let body: (StepContext) throws -> HostValue
    init(_ body: @escaping (StepContext) throws -> HostValue) { self.body = body }
}
final class AsyncBox: ExportBox {
    let body: (StepContext, HostValue, Completion) throws -> Void
    init(_ body: @escaping (StepContext, HostValue, Completion) throws -> Void) { self.body = body }
}
final class VerifierBox: ExportBox {
    let body: (StepContext, HostValue, HostValue) throws -> HostValue
    init(_ body: @escaping (StepContext, HostValue, HostValue) throws -> HostValue) { self.body = body }
}
final class HookBox: ExportBox {
    let body: (StepContext, UInt32, HostValue) throws -> Void
    init(_ body: @escaping (StepContext, UInt32, HostValue) throws -> Void) { self.body = body }
}
final class StrategyBox: ExportBox {
    let body: (StepContext, ReplicateLoop) throws -> Void
    init(_ body: @escaping (StepContext, ReplicateLoop) throws -> Void) { self.body = body }
}

func box<T: AnyObject>(_ user: UnsafeMutableRawPointer?, _: T.Type) -> T { Unmanaged<T>.fromOpaque(user!).takeUnretainedValue() }

/// Calls `body` with the closure box behind `user` without retaining it: the plugin's
/// descriptor keeps every box alive for the life of the process.
@inline(__always)
func withBox<T: AnyObject, R>(_ user: UnsafeMutableRawPointer?, _: T.Type, _ body: (T) throws -> R) rethrows -> R {
    try Unmanaged<T>.fromOpaque(user!)._withUnsafeGuaranteedRef(body)
}

func report(_ ctx: OpaquePointer?, _ error: Error) -> crys_status {
    if error is HostReportedFailure { return CRYS_ERROR }
    hostTable.pointee.set_error(ctx, "\(error)")
    return CRYS_ERROR
}

let stepTrampoline: crys_step_fn = { ctx, data, out, user in
    do {
        let c = StepContext(ctx!)
        out?.pointee = try withBox(user, StepBox.self) { try $0.body(c, HostValue(data) ?? c.makeNull()) }.raw
        return CRYS_OK
    } catch { return report(ctx, error) }
}

let datasourceTrampoline: crys_step_fn = { ctx, _, out, user in
    do {
        out?.pointee = try withBox(user, DatasourceBox.self) { try $0.body(StepContext(ctx!)) }.raw
        return CRYS_OK
    } catch { return report(ctx, error) }
}

let asyncTrampoline: crys_async_step_fn = { ctx, data, done, user in
    do {
        let c = StepContext(ctx!)
        try box(user, AsyncBox.self).body(c, HostValue(data) ?? c.makeNull(), Completion(raw: done!))
        return CRYS_OK
    } catch { return report(ctx, error) }
}

let verifyTrampoline: crys_verify_fn = { ctx, baseline, treatment, out, user in
    do {
        out?.pointee = try box(user, VerifierBox.self).body(StepContext(ctx!), HostValue(baseline)!, HostValue(treatment)!).raw
        return CRYS_OK
    } catch { return report(ctx, error) }
}

let hookTrampoline: crys_hook_fn = { ctx, event, info, user in
    do {
        try box(user, HookBox.self).body(StepContext(ctx!), event, HostValue(info)!)
        return CRYS_OK
    } catch { return report(ctx, error) }
}

let strategyTrampoline: crys_run_loop_fn = { ctx, loop, user in
    do {
        try box(user, StrategyBox.self).body(StepContext(ctx!), ReplicateLoop(raw: loop!))
        return CRYS_OK
    } catch { return report(ctx, error) }
}
