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

    /// Whether any hook wants per-replicate or per-step events: their info maps are built
    /// only then.
    private let replicateHooks: Bool
    private let stepHooks: Bool

    /// A runner writing artifacts under `versionDirectory`.
    public init(plan: Plan, cache: StepCache?, versionDirectory: String, inputs: UpstreamInputs? = nil,
                log: @escaping (String) -> Void) {
        self.plan = plan
        self.cache = cache
        self.versionDirectory = versionDirectory
        self.inputs = inputs
        self.log = log
        let events = plan.hooks.reduce(UInt32(0)) { $0 | $1.hookEvents }
        replicateHooks = events & CRYS_HOOK_BEFORE_REPLICATE != 0
        stepHooks = events & (CRYS_HOOK_BEFORE_STEP | CRYS_HOOK_AFTER_STEP) != 0
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
        let scope = ConditionScope(replicate: r, condition: condition.name, seed: seed, context: ctx)
        scope.frame = CallFrame(exportName: "", context: ctx, params: [:], rng: SeededGenerator(seed: 0), services: services(scope))
        if replicateHooks || stepHooks {
            scope.info = ["experiment": .string(plan.name), "replicate": .int(Int64(r)),
                          "condition": .string(condition.name), "seed_used": .int(Int64(seed))]
            callHooks(CRYS_HOOK_BEFORE_REPLICATE, scope.info)
        }
        var current = "<datasource>"
        var failure: Failure? = nil
        do {
            var data: Value
            // Each step's output hash is the next step's input hash: hash every value once.
            var dataHash = plan.recordsDataHashes ? ReplicateRunner.nullHash : nil
            if let ds = plan.datasource {
                current = ds.name
                (data, dataHash) = try await call(ds, data: nil, inputHash: dataHash, scope: scope)
            } else {
                current = "<inputs>"
                guard let inputs else { throw StoreError("experiment '\(plan.name)' reads upstream artifacts but none were loaded") }
                data = try inputs.load(replicate: r, condition: condition.name)
                if plan.recordsDataHashes { dataHash = ValueHash.hex(data) }
            }
            for step in plan.steps {
                current = step.name
                (data, dataHash) = try await call(step, data: data, inputHash: dataHash, scope: scope)
            }
        } catch {
            failure = Failure(step: current, message: "\(error)")
        }
        return ConditionOutcome(replicate: r, condition: condition.name, seedUsed: seed, metrics: ctx.metrics,
                                metricTags: ctx.metricTags, encodedSteps: scope.records.bytes, stepCount: scope.stepCount, failure: failure)
    }

    static let nullHash = ValueHash.hex(Value.null)

    /// What the engine lends a step of this (replicate, condition): artifact and output
    /// writers and a log, made once per condition; the step they act for is the context's
    /// current step.
    private func services(_ scope: ConditionScope) -> CallServices {
        CallServices(
            writeArtifact: { [unowned self, unowned scope] name, bytes in
                try self.writeArtifact(scope.replicate, scope.condition, scope.context.currentStep, name, bytes)
                scope.written[name] = bytes
            },
            writeOutput: { [unowned self, unowned scope] name, value in
                let step = scope.context.currentStep
                guard let spec = self.plan.outputs[name] else {
                    throw StoreError("step '\(step)' wrote output '\(name)', which config.yaml does not declare under outputs: (declared: \(self.plan.outputs.keys.joined(separator: ", ")))")
                }
                let bytes = try ArtifactCodecs.encode(value, spec: spec)
                try self.writeArtifact(scope.replicate, scope.condition, step, spec.fileName, bytes)
                scope.written[spec.fileName] = bytes
            },
            log: { [log, unowned scope] _, message in log("[\(scope.context.currentStep) r\(scope.replicate) \(scope.condition)] \(message)") })
    }

    private func call(_ step: PlannedStep, data: Value?, inputHash: String?, scope: ConditionScope) async throws -> (Value, String?) {
        let ctx = scope.context
        ctx.beginStep(step.name)
        let params = try ParameterResolver.resolve(step: step.name, function: step.function, explicit: step.explicitParams, context: ctx)
        let metricMark = ctx.metricLog.count
        if stepHooks {
            var info = scope.info
            info["step"] = .string(step.name)
            callHooks(CRYS_HOOK_BEFORE_STEP, info)
        }

        var cacheKey: String? = nil
        var hit = false
        var output: Value = .null
        if step.cacheable, let cache, let inputHash {
            let key = StepCache.key(stepIdentity: step.identity, params: params, inputHash: inputHash)
            cacheKey = key
            if let entry = cache.lookup(key) {
                hit = true
                cache.count(hit: true)
                for (k, v) in entry.contextWrites { try ctx.add(k, v) }
                for (name, values) in entry.metrics { for v in values { ctx.recordMetric(name, v, tags: entry.metricTags[name] ?? []) } }
                for (name, bytes) in entry.artifacts { try writeArtifact(scope.replicate, scope.condition, step.name, name, bytes) }
                output = entry.output
            } else {
                cache.count(hit: false)
            }
        }

        if !hit {
            if !scope.written.isEmpty { scope.written = [:] }
            let frame = scope.frame!
            frame.reset()
            frame.exportName = step.name
            frame.params = params
            // Each (replicate, condition) has its own stream, and within it each step its own
            // sub-stream: results never depend on scheduling, and a cache hit upstream never
            // shifts the numbers a later step draws.
            frame.useStream(seed: scope.seed, condition: scope.condition, step: step.name)
            output = try await step.function.invoke(data: data, frame: frame)
        }
        let added = ctx.metricLog[metricMark...]
        var writes = OrderedDictionary<String, Value>()
        for k in ctx.writes { writes[k] = ctx.values[k] }
        // This step's metric values by name, for the cache entry and the hooks (not built otherwise).
        let newMetrics = (cacheKey != nil && !hit) || stepHooks ? Self.grouped(added) : [:]
        if !hit, let key = cacheKey, let cache {
            let tags = newMetrics.keys.reduce(into: OrderedDictionary<String, [String]>()) { t, k in if let v = ctx.metricTags[k] { t[k] = v } }
            cache.store(key, CachedStep(output: output, metrics: newMetrics, contextWrites: writes, artifacts: scope.written, metricTags: tags))
        }
        let outputHash = plan.recordsDataHashes ? ValueHash.hex(output) : nil
        StepRecord.encode(step: step.name, cacheHit: hit, inputHash: inputHash, outputHash: outputHash, reads: ctx.reads,
                          writes: writes, metrics: added, into: &scope.records)
        scope.stepCount += 1
        if stepHooks {
            var info = scope.info
            info["step"] = .string(step.name)
            info["metrics"] = .map(newMetrics.mapValues { .list($0) })
            info["cache_hit"] = .bool(hit)
            callHooks(CRYS_HOOK_AFTER_STEP, info)
        }
        return (output, outputHash)
    }

    static func grouped(_ metrics: ArraySlice<RecordedMetric>) -> OrderedDictionary<String, [Value]> {
        var out = OrderedDictionary<String, [Value]>()
        for m in metrics { out[m.name, default: []].append(m.value) }
        return out
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

/// The per-(replicate, condition) state a runner threads through its steps.
final class ConditionScope {
    let replicate: Int
    let condition: String
    let seed: UInt64
    let context: RunContext
    /// One call frame, reused by every step of the condition (they run one after another).
    @exclusivity(unchecked) var frame: CallFrame?
    /// The hooks' info map (experiment, replicate, condition, seed_used), when hooks want it.
    @exclusivity(unchecked) var info: OrderedDictionary<String, Value> = [:]
    /// Artifacts written by the current step, for its cache entry.
    @exclusivity(unchecked) var written: OrderedDictionary<String, [UInt8]> = [:]
    /// Provenance of the steps run so far, encoded as each finishes.
    @exclusivity(unchecked) var records = ByteWriter(capacity: 256)
    /// How many step records `records` holds.
    var stepCount = 0

    init(replicate: Int, condition: String, seed: UInt64, context: RunContext) {
        self.replicate = replicate
        self.condition = condition
        self.seed = seed
        self.context = context
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
