import OrderedCollections

/// Provenance of one step call, in crystallize-ml's record shape (`ctx_changes` with reads,
/// wrote and metrics before/after).
public struct StepRecord {
    /// Step name.
    public var step: String
    /// Resolved parameters.
    public var params: OrderedDictionary<String, Value>
    /// The step's identity hash.
    public var stepHash: String
    /// sha256 of the input value.
    public var inputHash: String
    /// sha256 of the output value.
    public var outputHash: String
    /// Whether the output came from the cache.
    public var cacheHit: Bool
    /// Context keys read, with the values read.
    public var reads: OrderedDictionary<String, Value>
    /// Context keys written, with their new values.
    public var writes: OrderedDictionary<String, Value>
    /// Metrics this step changed: the list before and after it.
    public var metrics: OrderedDictionary<String, (before: [Value], after: [Value])>

    var json: Value {
        .map(["step": .string(step), "params": .map(params), "step_hash": .string(stepHash),
              "input_hash": .string(inputHash), "output_hash": .string(outputHash), "cache_hit": .bool(cacheHit),
              "ctx_changes": .map([
                "reads": .map(reads),
                "wrote": .map(writes.mapValues { .map(["before": .null, "after": $0]) }),
                "metrics": .map(metrics.mapValues { .map(["before": .list($0.before), "after": .list($0.after)]) }),
              ])])
    }

    init(step: String, params: OrderedDictionary<String, Value>, stepHash: String, inputHash: String, outputHash: String,
         cacheHit: Bool, reads: OrderedDictionary<String, Value>, writes: OrderedDictionary<String, Value>,
         metrics: OrderedDictionary<String, (before: [Value], after: [Value])>) {
        self.step = step; self.params = params; self.stepHash = stepHash; self.inputHash = inputHash
        self.outputHash = outputHash; self.cacheHit = cacheHit; self.reads = reads; self.writes = writes; self.metrics = metrics
    }

    init(json: Value) throws {
        guard case .map(let m) = json else { throw JSONError(message: "step record is not an object") }
        func s(_ k: String) -> String { if case .string(let x)? = m[k] { return x }; return "" }
        step = s("step"); stepHash = s("step_hash"); inputHash = s("input_hash"); outputHash = s("output_hash")
        if case .map(let p)? = m["params"] { params = p } else { params = [:] }
        if case .bool(let b)? = m["cache_hit"] { cacheHit = b } else { cacheHit = false }
        reads = [:]; writes = [:]; metrics = [:]
        guard case .map(let changes)? = m["ctx_changes"] else { return }
        if case .map(let r)? = changes["reads"] { reads = r }
        if case .map(let w)? = changes["wrote"] { writes = w.mapValues { if case .map(let ba) = $0 { return ba["after"] ?? .null }; return .null } }
        if case .map(let md)? = changes["metrics"] {
            for (k, v) in md {
                guard case .map(let ba) = v, case .list(let b)? = ba["before"], case .list(let a)? = ba["after"] else { continue }
                metrics[k] = (b, a)
            }
        }
    }
}

/// A failed (replicate, condition): where and why.
public struct Failure: Equatable {
    /// The step that failed ("<datasource>", a step name, or "<worker>" for a crashed process).
    public var step: String
    /// The message.
    public var message: String
}

/// What one (replicate, condition) produced.
public struct ConditionOutcome {
    /// Replicate index.
    public var replicate: Int
    /// Condition name.
    public var condition: String
    /// The replicate seed.
    public var seedUsed: UInt64
    /// Recorded metrics.
    public var metrics: OrderedDictionary<String, [Value]>
    /// Metric tags.
    public var metricTags: OrderedDictionary<String, [String]>
    /// Per-step provenance.
    public var steps: [StepRecord]
    /// The failure, if it failed.
    public var failure: Failure?

    /// The JSON form used in checkpoints and worker results.
    public var json: Value {
        var m: OrderedDictionary<String, Value> = [
            "replicate": .int(Int64(replicate)), "condition": .string(condition), "seed_used": .int(Int64(seedUsed)),
            "metrics": .map(metrics.mapValues { .list($0) }),
            "metric_tags": .map(metricTags.mapValues { .list($0.map { .string($0) }) }),
            "steps": .list(steps.map(\.json)),
        ]
        if let f = failure { m["error"] = .map(["step": .string(f.step), "message": .string(f.message)]) }
        return .map(m)
    }

    /// A failed outcome with no metrics.
    public static func failed(replicate: Int, condition: String, seedUsed: UInt64, step: String, message: String) -> ConditionOutcome {
        ConditionOutcome(replicate: replicate, condition: condition, seedUsed: seedUsed, metrics: [:], metricTags: [:],
                         steps: [], failure: Failure(step: step, message: message))
    }

    init(replicate: Int, condition: String, seedUsed: UInt64, metrics: OrderedDictionary<String, [Value]>,
         metricTags: OrderedDictionary<String, [String]>, steps: [StepRecord], failure: Failure?) {
        self.replicate = replicate; self.condition = condition; self.seedUsed = seedUsed; self.metrics = metrics
        self.metricTags = metricTags; self.steps = steps; self.failure = failure
    }

    /// Reads the JSON form back.
    public init(json: Value) throws {
        guard case .map(let m) = json, case .int(let r)? = m["replicate"], case .string(let c)? = m["condition"] else {
            throw JSONError(message: "not a condition outcome (needs replicate and condition)")
        }
        replicate = Int(r); condition = c
        if case .int(let s)? = m["seed_used"] { seedUsed = UInt64(s) } else { seedUsed = 0 }
        if case .map(let mm)? = m["metrics"] { metrics = mm.compactMapValues { if case .list(let l) = $0 { return l }; return nil } } else { metrics = [:] }
        if case .map(let tt)? = m["metric_tags"] {
            metricTags = tt.compactMapValues { if case .list(let l) = $0 { return l.compactMap { if case .string(let s) = $0 { return s }; return nil } }; return nil }
        } else { metricTags = [:] }
        if case .list(let ss)? = m["steps"] { steps = try ss.map { try StepRecord(json: $0) } } else { steps = [] }
        if case .map(let e)? = m["error"], case .string(let st)? = e["step"], case .string(let msg)? = e["message"] {
            failure = Failure(step: st, message: msg)
        } else { failure = nil }
    }
}
