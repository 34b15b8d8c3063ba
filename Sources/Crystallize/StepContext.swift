/// One callback's view of the host: context, parameters, values, metrics, artifacts, randomness.
public struct StepContext {
    /// The C handle.
    public let raw: OpaquePointer
    /// Wraps a handle.
    public init(_ raw: OpaquePointer) { self.raw = raw }

    private var h: crys_host { hostTable.pointee }

    /// A context value ("replicate", "condition", "seed_used", treatment keys, ...).
    public func get(_ key: String) -> HostValue? { HostValue(key.withCString { h.ctx_get(raw, $0) }) }
    /// Adds a context key; overwriting an existing key throws (keys are add-only).
    public func add(_ key: String, _ value: HostValue) throws {
        if key.withCString({ h.ctx_add(raw, $0, value.raw) }) != CRYS_OK { throw PluginFailure("cannot add context key '\(key)'") }
    }
    /// A resolved parameter (explicit, context, or default).
    public func param(_ name: String) -> HostValue? { HostValue(name.withCString { h.param(raw, $0) }) }
    /// A numeric parameter, NaN when it is missing or not a number: prefer `f64(_:)`, which
    /// throws an error naming the parameter instead.
    @available(*, deprecated, message: "use try ctx.f64(name): a missing or mistyped parameter is an error naming it, not a silent NaN")
    public func double(_ name: String) -> Double { param(name)?.double ?? .nan }
    /// Records a metric value.
    public func record(_ metric: String, _ value: Double, tags: [String] = []) {
        let v = make(value).raw
        if tags.isEmpty {
            _ = metric.withCString { h.record_metric(raw, $0, v, nil, 0) }
            return
        }
        var cTags = tags.map { UnsafePointer(strdup($0)) }
        defer { cTags.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        _ = cTags.withUnsafeMutableBufferPointer { buf in
            buf.withMemoryRebound(to: UnsafePointer<CChar>?.self) { h.record_metric(raw, metric, v, $0.baseAddress, tags.count) }
        }
    }
    /// Writes an artifact file for this replicate, condition and step.
    public func writeArtifact(_ name: String, _ bytes: [UInt8]) throws {
        if bytes.withUnsafeBytes({ b in name.withCString { h.write_artifact(raw, $0, b.baseAddress, bytes.count) } }) != CRYS_OK {
            throw PluginFailure("cannot write artifact '\(name)'")
        }
    }
    /// Writes a declared output through its configured writer.
    public func writeOutput(_ name: String, _ value: HostValue) throws {
        // The host has set the reason (e.g. the codec's own message); rethrown, it is kept.
        if name.withCString({ h.write_output(raw, $0, value.raw) }) != CRYS_OK { throw HostReportedFailure("cannot write output '\(name)'") }
    }
    /// Logs a line.
    public func log(_ message: String, level: Int32 = CRYS_LOG_INFO) { message.withCString { h.log(raw, level, $0) } }

    /// Uniform in [0, 1) from this call's deterministic stream.
    public func uniform() -> Double { h.random_uniform(raw) }
    /// Normal(mean, sd) from this call's deterministic stream.
    public func normal(mean: Double = 0, sd: Double = 1) -> Double { h.random_normal(raw, mean, sd) }
    /// 64 random bits from this call's deterministic stream.
    public func randomBits() -> UInt64 { h.random_u64(raw) }

    /// A float value.
    public func make(_ d: Double) -> HostValue { HostValue(h.make_f64(raw, d))! }
    /// An integer value.
    public func make(_ i: Int64) -> HostValue { HostValue(h.make_i64(raw, i))! }
    /// A boolean value.
    public func make(_ b: Bool) -> HostValue { HostValue(h.make_bool(raw, b ? 1 : 0))! }
    /// A string value.
    public func make(_ s: String) -> HostValue {
        var s = s
        if s.isEmpty { return HostValue(s.withCString { h.make_string(raw, $0, 0) })! }
        return HostValue(s.withUTF8 { u in u.withMemoryRebound(to: CChar.self) { h.make_string(raw, $0.baseAddress, $0.count) } })!
    }
    /// A bytes value (copied).
    public func make(bytes: [UInt8]) -> HostValue { HostValue(bytes.withUnsafeBytes { h.make_bytes(raw, $0.baseAddress, $0.count) })! }
    /// A null value.
    public func makeNull() -> HostValue { HostValue(h.make_null(raw))! }
    /// An f64 array holding `values`.
    public func make(_ values: [Double]) -> HostValue {
        let v = HostValue(h.make_f64_array(raw, values.count))!
        if let d = v.doubles { _ = d.initialize(from: values) }
        return v
    }
    /// A zero-filled f64 array to fill in place.
    public func makeArray(count: Int) -> HostValue { HostValue(h.make_f64_array(raw, count))! }
    /// A list of values.
    public func makeList(_ items: [HostValue]) -> HostValue {
        let l = HostValue(h.make_list(raw))!
        for i in items { _ = h.list_push(l.raw, i.raw) }
        return l
    }
    /// A map of values, in the given order.
    public func makeMap(_ entries: KeyValuePairs<String, HostValue>) -> HostValue {
        let m = HostValue(h.make_map(raw))!
        for (k, v) in entries { _ = k.withCString { h.map_set(m.raw, $0, v.raw) } }
        return m
    }
}

#if canImport(Glibc)
import Glibc
#endif
