import CCrystallize

/// One trial an optimizer asks for: parameter values, or an earlier candidate to measure on
/// more replicates.
public struct OptimizerTrial {
    /// Parameter name and value, in order (ignored when `candidate` is set).
    public var params: [(name: String, value: Double)]
    /// Total replicates wanted (nil: the config's replicates_per_trial).
    public var replicates: Int?
    /// An earlier trial's number, to extend it.
    public var candidate: Int?

    /// A new trial at `params`.
    public init(params: [(name: String, value: Double)], replicates: Int? = nil) {
        self.params = params; self.replicates = replicates; candidate = nil
    }

    /// More replicates for an earlier trial.
    public init(extending candidate: Int, replicates: Int) {
        params = []; self.replicates = replicates; self.candidate = candidate
    }
}

/// What one trial measured, as the host tells it.
public struct OptimizerReport {
    /// The trial's number (new trials are numbered in the order asked, from 0).
    public var candidate: Int
    /// Its parameters (a borrowed map; read it during `tell`).
    public var params: HostValue
    /// Replicates it was measured on.
    public var replicates: Int
    /// Mean and standard error of the objective (NaN when unknown).
    public var mean: Double, standardError: Double
    /// The objective's values over replicates.
    public var values: [Double]
}

/// The state of one search; the host keeps it from `create` until the run ends.
public protocol OptimizerSearch: AnyObject {
    /// The next batch; an empty one ends the search. Draw randomness from `ctx` only: its
    /// stream is fixed by the optimizer's seed and the call's number (replays give the same).
    func ask(_ ctx: StepContext) throws -> [OptimizerTrial]
    /// What the last batch measured, in the order asked.
    func tell(_ ctx: StepContext, _ reports: [OptimizerReport]) throws
}

final class OptimizerBox: ExportBox {
    let create: (StepContext, HostValue, HostValue) throws -> OptimizerSearch
    init(_ create: @escaping (StepContext, HostValue, HostValue) throws -> OptimizerSearch) { self.create = create }
}

extension PluginBuilder {
    /// An optimizer (ABI 1.2): `create` gets the search space (name to {kind, low, high,
    /// values, steps}) and settings (trials, replicates_per_trial, metric, direction, seed,
    /// options) and returns the search; the host asks and tells it until it asks for nothing.
    @discardableResult
    public func optimizer(_ name: String, doc: String? = nil, params: [Param] = [],
                          _ create: @escaping (StepContext, HostValue, HostValue) throws -> OptimizerSearch) -> PluginBuilder {
        neededMinor = max(neededMinor, 2)
        let table = UnsafeMutablePointer<crys_optimizer>.allocate(capacity: 1)  // static storage: lives with the plugin
        var t = crys_optimizer()
        t.size = UInt32(MemoryLayout<crys_optimizer>.size)
        t.create = optimizerCreate
        t.ask = optimizerAsk
        t.tell = optimizerTell
        t.destroy = optimizerDestroy
        table.initialize(to: t)
        return addExport(CRYS_KIND_OPTIMIZER, name, doc: doc, params: params, flags: 0, user: OptimizerBox(create)) {
            $0.optimizer = UnsafePointer(table)
        }
    }
}

private let optimizerCreate: @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutableRawPointer?) -> crys_status = { ctx, space, settings, state, user in
    do {
        let search = try box(user, OptimizerBox.self).create(StepContext(ctx!), HostValue(space)!, HostValue(settings)!)
        state?.pointee = Unmanaged.passRetained(search as AnyObject).toOpaque()
        return CRYS_OK
    } catch { return report(ctx, error) }
}

private func search(_ state: UnsafeMutableRawPointer?) -> OptimizerSearch {
    Unmanaged<AnyObject>.fromOpaque(state!).takeUnretainedValue() as! OptimizerSearch
}

private let optimizerAsk: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutableRawPointer?) -> crys_status = { ctx, state, batch, _ in
    do {
        let c = StepContext(ctx!)
        for trial in try search(state).ask(c) {
            var entries: [(String, HostValue)] = []
            if let k = trial.candidate { entries.append(("candidate", c.make(Int64(k)))) } else {
                let p = HostValue(hostTable.pointee.make_map(ctx))!
                for (n, v) in trial.params { _ = n.withCString { hostTable.pointee.map_set(p.raw, $0, c.make(v).raw) } }
                entries.append(("params", p))
            }
            if let r = trial.replicates { entries.append(("replicates", c.make(Int64(r)))) }
            let m = HostValue(hostTable.pointee.make_map(ctx))!
            for (k, v) in entries { _ = k.withCString { hostTable.pointee.map_set(m.raw, $0, v.raw) } }
            guard hostTable.pointee.list_push(batch, m.raw) == CRYS_OK else { throw PluginFailure("could not add a trial to the batch") }
        }
        return CRYS_OK
    } catch { return report(ctx, error) }
}

private let optimizerTell: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutableRawPointer?) -> crys_status = { ctx, state, reports, _ in
    do {
        let list = HostValue(reports)!
        let rs = (0..<list.count).compactMap { i -> OptimizerReport? in
            guard let r = list[i] else { return nil }
            return OptimizerReport(candidate: Int(r["candidate"]?.int ?? -1), params: r["params"]!, replicates: Int(r["replicates"]?.int ?? 0),
                                   mean: r["mean"]?.double ?? .nan, standardError: r["standard_error"]?.double ?? .nan, values: r["values"]?.numbers ?? [])
        }
        try search(state).tell(StepContext(ctx!), rs)
        return CRYS_OK
    } catch { return report(ctx, error) }
}

private let optimizerDestroy: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { state, _ in
    if let state { Unmanaged<AnyObject>.fromOpaque(state).release() }
}
