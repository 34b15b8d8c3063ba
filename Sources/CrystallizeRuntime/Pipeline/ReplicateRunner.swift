import CCrystallize
import Foundation
import OrderedCollections

/// Runs the pipeline of one (replicate, condition): context, datasource, steps, cache,
/// artifacts, hooks and provenance. Safe to use from many tasks at once.
public final class ReplicateRunner {
    let plan: Plan
    let cache: StepCache?
    /// `data/<exp>/vN`, where artifacts go.
    let versionDirectory: String
    let inputs: UpstreamInputs?
    let log: (String) -> Void

    /// A runner writing artifacts under `versionDirectory`.
    public init(plan: Plan, cache: StepCache?, versionDirectory: String, inputs: UpstreamInputs? = nil,
                log: @escaping (String) -> Void) {
        self.plan = plan
        self.cache = cache
        self.versionDirectory = versionDirectory
        self.inputs = inputs
        self.log = log
    }

    /// Runs every given condition of replicate `r`, in order.
    public func run(replicate r: Int, conditions: [Condition]) async -> [ConditionOutcome] {
        var out: [ConditionOutcome] = []
        for c in conditions { out.append(await run(replicate: r, condition: c)) }
        return out
    }

    /// Runs one (replicate, condition). Never throws: a failure is part of the outcome.
    public func run(replicate r: Int, condition: Condition) async -> ConditionOutcome {
        let seed = plan.seedUsed(replicate: r)
        let ctx = RunContext()
        ctx.setHostKey("replicate", .int(Int64(r)))
        ctx.setHostKey("condition", .string(condition.name))
        ctx.setHostKey("seed_used", .int(Int64(seed)))
        for (k, v) in condition.additions { ctx.setHostKey(k, v) }
        var records: [StepRecord] = []
        let baseInfo: OrderedDictionary<String, Value> = ["experiment": .string(plan.name), "replicate": .int(Int64(r)),
                                                          "condition": .string(condition.name), "seed_used": .int(Int64(seed))]
        callHooks(CRYS_HOOK_BEFORE_REPLICATE, baseInfo)
        var current = "<datasource>"
        do {
            var data: Value
            // Each step's output hash is the next step's input hash: hash every value once.
            var dataHash = ReplicateRunner.nullHash
            if let ds = plan.datasource {
                current = ds.name
                (data, dataHash) = try await call(ds, data: nil, inputHash: dataHash, ctx: ctx, replicate: r, condition: condition.name,
                                      seed: seed, records: &records, info: baseInfo)
            } else {
                current = "<inputs>"
                guard let inputs else { throw StoreError("experiment '\(plan.name)' reads upstream artifacts but none were loaded") }
                data = try inputs.load(replicate: r, condition: condition.name)
                dataHash = ValueHash.hex(data)
            }
            for step in plan.steps {
                current = step.name
                (data, dataHash) = try await call(step, data: data, inputHash: dataHash, ctx: ctx, replicate: r, condition: condition.name,
                                      seed: seed, records: &records, info: baseInfo)
            }
        } catch {
            return ConditionOutcome(replicate: r, condition: condition.name, seedUsed: seed, metrics: ctx.metrics,
                                    metricTags: ctx.metricTags, steps: records,
                                    failure: Failure(step: current, message: "\(error)"))
        }
        return ConditionOutcome(replicate: r, condition: condition.name, seedUsed: seed, metrics: ctx.metrics,
                                metricTags: ctx.metricTags, steps: records, failure: nil)
    }

    static let nullHash = ValueHash.hex(Value.null)

    private func call(_ step: PlannedStep, data: Value?, inputHash: String, ctx: RunContext, replicate r: Int, condition: String, seed: UInt64,
                      records: inout [StepRecord], info: OrderedDictionary<String, Value>) async throws -> (Value, String) {
        ctx.beginStep(step.name)
        let params = try ParameterResolver.resolve(step: step.name, function: step.function, explicit: step.explicitParams, context: ctx)
        let metricsBefore = ctx.metrics.mapValues(\.count)
        var stepInfo = info
        if !plan.hooks.isEmpty {
            stepInfo["step"] = .string(step.name)
            callHooks(CRYS_HOOK_BEFORE_STEP, stepInfo)
        }

        var cacheKey: String? = nil
        var hit = false
        var output: Value
        if step.cacheable, let cache {
            let key = StepCache.key(stepIdentity: step.identity, params: params, inputHash: inputHash)
            cacheKey = key
            if let entry = cache.lookup(key) {
                hit = true
                cache.count(hit: true)
                for (k, v) in entry.contextWrites { try ctx.add(k, v) }
                for (name, values) in entry.metrics { for v in values { ctx.recordMetric(name, v, tags: entry.metricTags[name] ?? []) } }
                for (name, bytes) in entry.artifacts { try writeArtifact(r, condition, step.name, name, bytes) }
                output = entry.output
            } else {
                cache.count(hit: false)
                output = .null
            }
        } else { output = .null }

        var written: OrderedDictionary<String, [UInt8]> = [:]
        if !hit {
            let services = CallServices(
                writeArtifact: { [unowned self] name, bytes in
                    try self.writeArtifact(r, condition, step.name, name, bytes)
                    written[name] = bytes
                },
                writeOutput: { [unowned self] name, value in
                    guard let spec = self.plan.outputs[name] else {
                        throw StoreError("step '\(step.name)' wrote output '\(name)', which config.yaml does not declare under outputs: (declared: \(self.plan.outputs.keys.joined(separator: ", ")))")
                    }
                    let bytes = try ArtifactCodecs.encode(value, spec: spec)
                    try self.writeArtifact(r, condition, step.name, spec.fileName, bytes)
                    written[spec.fileName] = bytes
                },
                log: { [log] level, message in log("[\(step.name) r\(r) \(condition)] \(message)") })
            // Each (replicate, condition) has its own stream, and within it each step its own
            // sub-stream: results never depend on scheduling, and a cache hit upstream never
            // shifts the numbers a later step draws.
            let frame = CallFrame(exportName: step.name, context: ctx, params: params,
                                  rng: SeededGenerator(seed: seed, condition: condition, step: step.name), services: services)
            output = try await step.function.invoke(data: data, frame: frame)
        }
        // What this step changed, once, for provenance, the cache entry and the hooks.
        var diff = OrderedDictionary<String, (before: [Value], after: [Value])>()
        for (k, vs) in ctx.metrics {
            let before = metricsBefore[k] ?? 0
            if vs.count > before { diff[k] = (Array(vs[..<before]), vs) }
        }
        var writes = OrderedDictionary<String, Value>()
        for k in ctx.writes { writes[k] = ctx.values[k] }
        if !hit, let key = cacheKey, let cache {
            let newMetrics = diff.mapValues { Array($0.after.dropFirst($0.before.count)) }
            let tags = newMetrics.keys.reduce(into: OrderedDictionary<String, [String]>()) { t, k in if let v = ctx.metricTags[k] { t[k] = v } }
            cache.store(key, CachedStep(output: output, metrics: newMetrics, contextWrites: writes, artifacts: written, metricTags: tags))
        }
        let outputHash = ValueHash.hex(output)
        records.append(StepRecord(step: step.name, params: params, stepHash: step.identity, inputHash: inputHash,
                                  outputHash: outputHash, cacheHit: hit, reads: ctx.reads, writes: writes,
                                  metrics: diff))
        if !plan.hooks.isEmpty {
            stepInfo["metrics"] = .map(diff.mapValues { .list(Array($0.after.dropFirst($0.before.count))) })
            stepInfo["cache_hit"] = .bool(hit)
            callHooks(CRYS_HOOK_AFTER_STEP, stepInfo)
        }
        return (output, outputHash)
    }

    func writeArtifact(_ r: Int, _ condition: String, _ step: String, _ name: String, _ bytes: [UInt8]) throws {
        try ArtifactPaths.checkName(name, step: step)
        let path = ArtifactPaths.file(versionDirectory: versionDirectory, replicate: r, condition: condition, step: step, name: name)
        try AtomicFile.write(path, bytes: bytes, sync: false)
    }

    /// Calls every hook that asked for `event`; hook failures are logged, never fatal.
    func callHooks(_ event: UInt32, _ info: OrderedDictionary<String, Value>) {
        HookDispatcher.call(plan.hooks, event: event, info: info, log: log)
    }
}

/// Calls lifecycle hooks of loaded plugins.
enum HookDispatcher {
    static func call(_ hooks: [PluginExport], event: UInt32, info: OrderedDictionary<String, Value>, log: @escaping (String) -> Void) {
        for h in hooks where h.hookEvents & event != 0 {
            guard let fn = h.raw.hook else { continue }
            let frame = CallFrame(exportName: h.qualifiedName, context: nil, params: [:], rng: SeededGenerator(seed: 0),
                                  services: CallServices(log: { _, m in log("[\(h.qualifiedName)] \(m)") }))
            let box = frame.borrow(.map(info))
            if fn(frame.pointer, event, box.pointer, h.raw.user) != CRYS_OK {
                log("warning: hook '\(h.qualifiedName)' failed: \(frame.error ?? "no message")")
            }
        }
    }
}
