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
    /// Where plugin log lines go besides `log`: the run's `steps.log`.
    let stepLog: StepLogFile
    /// The run's event stream; nil when nobody listens (nothing is built or timed then).
    private let events: ReplicateEvents?
    /// Whether step log lines also go to each replicate's `logs/replicate_<r>/output.log`
    /// (in-process runs; a worker process sends its whole output there instead).
    public var keepsReplicateLogs = false
    /// Sees every stage call with its input, parameters and output (`run --debug`); nil on
    /// ordinary runs, which then pay one nil check per stage.
    private let tracer: StageTracer?

    /// Whether any hook wants per-replicate or per-step events: their info maps are built
    /// only then.
    private let replicateHooks: Bool
    private let stepHooks: Bool
    /// The datasource (when there is one) and the steps, in call order.
    private let stages: [PipelineStage]
    private let hasAsyncStage: Bool
    /// The plan's settings the per-call path reads, copied once (the plan's properties are
    /// variables, each read of which is checked for exclusive access).
    private let hasDatasource: Bool
    private let recordsDataHashes: Bool
    /// `random_streams: common` (the default): streams by (seed, stage position) alone.
    private let commonStreams: Bool
    /// Finished scopes, ready for reuse.
    private let poolLock = NSLock()
    // Reached twice a (replicate, condition), always under `poolLock`; its run-time exclusivity
    // check pays: bench/run.sh's "trivial 10,000 serial" line (per-replicate overhead). See
    // docs/ARCHITECTURE.md, "Unsafe constructs".
    /// One pool per condition of the plan (and one for any other), so a scope usually runs
    /// the condition it ran last and keeps its context's host keys laid out.
    @exclusivity(unchecked) private var pools: [[ConditionScope]]
    private let conditionNames: [String]

    /// A runner writing artifacts under `versionDirectory`.
    public init(plan: Plan, cache: StepCache?, versionDirectory: String, inputs: UpstreamInputs? = nil,
                events: RunEventBus = RunEventBus(), tracer: StageTracer? = nil, log: @escaping (String) -> Void) {
        self.plan = plan
        self.tracer = tracer
        self.events = ReplicateEvents(bus: events, experiment: plan.name)
        stepLog = StepLogFile(versionDirectory: versionDirectory)
        self.cache = cache
        self.versionDirectory = versionDirectory
        self.inputs = inputs
        self.log = log
        let events = plan.hooks.reduce(UInt32(0)) { $0 | $1.hookEvents }
        replicateHooks = events & CRYS_HOOK_BEFORE_REPLICATE != 0
        stepHooks = events & (CRYS_HOOK_BEFORE_STEP | CRYS_HOOK_AFTER_STEP) != 0
        // Parameter sources per condition of the plan, then for any other condition.
        let hostKeys = plan.conditions.map { Optional(RunContext.hostKeys(of: $0)) } + [nil]
        stages = ((plan.datasource.map { [$0] } ?? []) + plan.steps).enumerated().map { PipelineStage($1, position: $0, hostKeys: hostKeys) }
        hasAsyncStage = stages.contains { $0.function.isAsync }
        conditionNames = plan.conditions.map(\.name)
        pools = Array(repeating: [], count: plan.conditions.count + 1)
        hasDatasource = plan.datasource != nil
        recordsDataHashes = plan.recordsDataHashes
        commonStreams = plan.randomStreams == .common
    }

    /// Runs every given condition of replicate `r`, in order.
    public func run(replicate r: Int, conditions: [Condition]) async -> [ConditionOutcome] {
        var out: [ConditionOutcome] = []
        for c in conditions { out.append(await run(replicate: r, condition: c)) }
        return out
    }

    /// Whether no stage of the pipeline is async, so `runSynchronously` may run it.
    public var isSynchronous: Bool { !hasAsyncStage }

    /// Runs one (replicate, condition). Never throws: a failure is part of the outcome.
    public func run(replicate r: Int, condition: Condition) async -> ConditionOutcome {
        let scope = begin(r, condition)
        var cursor = StageCursor()
        var failure: Failure? = nil
        do {
            try start(&cursor, scope)
            // The one stage loop runs synchronous stages in a stretch; it stops before an async
            // stage, which is awaited here, and goes on after it.
            while try runStages(&cursor, scope) { try await runAsyncStage(&cursor, scope) }
        } catch {
            failure = Failure(step: failedStage(cursor.at), message: "\(error)")
        }
        return end(scope, failure: failure)
    }

    /// `run(replicate:condition:)` without suspension points, for pipelines with no async step
    /// (`isSynchronous`): the serial loop's fast path.
    public func runSynchronously(replicate r: Int, condition: Condition) -> ConditionOutcome {
        precondition(!hasAsyncStage, "runSynchronously on a pipeline with an async step")
        let scope = begin(r, condition)
        var cursor = StageCursor()
        var failure: Failure? = nil
        do {
            try start(&cursor, scope)
            _ = try runStages(&cursor, scope)
        } catch {
            failure = Failure(step: failedStage(cursor.at), message: "\(error)")
        }
        return end(scope, failure: failure)
    }

    /// The pipeline's input: the upstream artifacts for an experiment with no datasource.
    private func start(_ cursor: inout StageCursor, _ scope: ConditionScope) throws {
        if !hasDatasource { (cursor.data, cursor.hash) = try upstreamData(scope) }
        else if recordsDataHashes { cursor.hash = Self.nullHash }
    }

    /// The stage loop: runs the stages after `cursor.at` one after another until the pipeline
    /// ends (false) or the next stage is async (true, with `cursor.at` on it).
    private func runStages(_ cursor: inout StageCursor, _ scope: ConditionScope) throws -> Bool {
        let ctx = scope.context, frame = scope.frame
        var i = cursor.at + 1
        while i < stages.count {
            let stage = stages[i]
            cursor.at = i
            if stage.function.isAsync { return true }
            let started = events?.stepStarted(scope.state.replicate, scope.state.condition, stage.name)
            let cached = try prepare(stage, inputHash: cursor.hash, scope: scope, ctx, frame)
            if let tracer { traceStart(tracer, stage, scope, input: cursor.data) }
            let output = try cached ?? stage.function.invokeSync(data: cursor.data, frame: frame)
            cursor.hash = try finish(stage, hit: cached != nil, output: output, inputHash: cursor.hash, scope: scope, ctx)
            if let tracer { traceEnd(tracer, stage, scope, output: output, hit: cached != nil) }
            cursor.data = consume output
            if let started { events?.stepFinished(scope.state.replicate, scope.state.condition, stage.name, since: started, cacheHit: cached != nil) }
            i += 1
        }
        return false
    }

    /// The async stage at `cursor.at`, awaited: the same steps as the loop's, around `invoke`.
    private func runAsyncStage(_ cursor: inout StageCursor, _ scope: ConditionScope) async throws {
        let ctx = scope.context, frame = scope.frame, stage = stages[cursor.at]
        let started = events?.stepStarted(scope.state.replicate, scope.state.condition, stage.name)
        let cached = try prepare(stage, inputHash: cursor.hash, scope: scope, ctx, frame)
        if let tracer { traceStart(tracer, stage, scope, input: cursor.data) }
        let output: Value
        if let cached { output = cached } else { output = try await stage.function.invoke(data: cursor.data, frame: frame) }
        cursor.hash = try finish(stage, hit: cached != nil, output: output, inputHash: cursor.hash, scope: scope, ctx)
        if let tracer { traceEnd(tracer, stage, scope, output: output, hit: cached != nil) }
        cursor.data = consume output
        if let started { events?.stepFinished(scope.state.replicate, scope.state.condition, stage.name, since: started, cacheHit: cached != nil) }
    }

    static let nullHash = ValueHash.hex(Value.null)

    private func traceStart(_ tracer: StageTracer, _ stage: PipelineStage, _ scope: ConditionScope, input: Value?) {
        tracer.stageWillRun(stage.name, replicate: scope.state.replicate, condition: scope.state.condition, input: input,
                            params: stage.tracedParams(scope.frame, context: scope.context))
    }

    private func traceEnd(_ tracer: StageTracer, _ stage: PipelineStage, _ scope: ConditionScope, output: Value, hit: Bool) {
        let ctx = scope.context
        tracer.stageDidRun(stage.name, replicate: scope.state.replicate, condition: scope.state.condition, output: output, cacheHit: hit,
                           writes: Array(StepWrites(context: ctx)), metrics: ctx.state.metricLog[scope.state.metricMark...].map { ($0.name, $0.value) })
    }

    /// The name a failure at stage `at` reports (-1: while loading upstream inputs).
    private func failedStage(_ at: Int) -> String { at >= 0 ? stages[at].name : "<inputs>" }

    /// A scope for (r, condition), from the pool when one is free, with its host keys set.
    private func begin(_ r: Int, _ condition: Condition) -> ConditionScope {
        let seed = plan.seedUsed(replicate: r)
        let pool = conditionNames.firstIndex(of: condition.name) ?? conditionNames.count
        poolLock.lock()
        let pooled = pools[pool].popLast()
        poolLock.unlock()
        let scope = pooled ?? makeScope()
        let contextReplicate = plan.contextReplicate(r)
        scope.begin(replicate: r, contextReplicate: contextReplicate, condition: condition, seed: seed, pool: pool)
        if let events { scope.state.startedAt = events.replicateStarted(r, condition.name) }
        if replicateHooks || stepHooks {
            scope.state.info = ["experiment": .string(plan.name), "replicate": .int(Int64(contextReplicate)),
                          "condition": .string(condition.name), "seed_used": .int(Int64(seed))]
            callHooks(CRYS_HOOK_BEFORE_REPLICATE, scope.state.info)
        }
        return scope
    }

    /// The outcome of `scope`, which goes back to the pool.
    private func end(_ scope: ConditionScope, failure: Failure?) -> ConditionOutcome {
        let ctx = scope.context
        if let events { events.replicateFinished(scope.state.replicate, scope.state.condition, since: scope.state.startedAt, failure: failure) }
        let outcome = ConditionOutcome(replicate: scope.state.replicate, condition: scope.state.condition, seedUsed: scope.state.seed, metricLog: ctx.state.metricLog,
                                       metricTags: ctx.state.metricTags, encodedSteps: scope.state.records.bytes, stepCount: scope.state.stepCount, failure: failure)
        // The scope goes back to the pool only after the outcome has been read out of it.
        recycle(scope)
        return consume outcome
    }

    private func recycle(_ scope: ConditionScope) {
        scope.frame.reset()
        poolLock.lock()
        pools[scope.state.pool].append(scope)
        poolLock.unlock()
    }

    private func makeScope() -> ConditionScope { ConditionScope(services: services) }

    /// The upstream artifacts of this (replicate, condition), for an experiment with no datasource.
    private func upstreamData(_ scope: ConditionScope) throws -> (Value, String?) {
        guard let inputs else { throw StoreError("experiment '\(plan.name)' reads upstream artifacts but none were loaded") }
        let data = try inputs.load(replicate: scope.state.replicate, condition: scope.state.condition)
        return (data, recordsDataHashes ? ValueHash.hex(data) : nil)
    }

    /// What the engine lends a step of this (replicate, condition): artifact and output
    /// writers and a log, made once per scope; the step they act for is the context's
    /// current step.
    private func services(_ scope: ConditionScope) -> CallServices {
        CallServices(
            writeArtifact: { [unowned self, unowned scope] name, bytes in
                try self.writeArtifact(scope.state.replicate, scope.state.condition, scope.context.currentStep, name, bytes)
                scope.state.written[name] = bytes
            },
            writeOutput: { [unowned self, unowned scope] name, value in
                let step = scope.context.currentStep
                guard let spec = self.plan.outputs[name] else {
                    throw StoreError("step '\(step)' wrote output '\(name)', which config.yaml does not declare under outputs: (declared: \(self.plan.outputs.keys.joined(separator: ", ")))")
                }
                let bytes = try ArtifactCodecs.encode(value, spec: spec)
                try self.writeArtifact(scope.state.replicate, scope.state.condition, step, spec.fileName, bytes)
                scope.state.written[spec.fileName] = bytes
            },
            log: { [log, stepLog, events, unowned self, unowned scope] level, message in
                let step = scope.context.currentStep, l = LogLevel(rawValue: level) ?? .info
                stepLog.append(level: l, step: step, replicate: scope.state.replicate, condition: scope.state.condition, message: message)
                events?.log(scope.state.replicate, scope.state.condition, step, l, message)
                let line = LogLine.prefix(level) + "[\(step) r\(scope.state.replicate) \(scope.state.condition)] \(message)"
                log(line)
                if self.keepsReplicateLogs { RunLogs.append(line, replicate: scope.state.replicate, versionDirectory: self.versionDirectory) }
            })
    }

    /// Everything before a stage's function runs: parameters resolved into the frame, hooks,
    /// the cache asked, the random stream chosen. Returns the cached output on a cache hit.
    private func prepare(_ stage: PipelineStage, inputHash: String?, scope: ConditionScope, _ ctx: RunContext, _ frame: CallFrame) throws -> Value? {
        try stage.ready(frame, context: ctx, pool: scope.state.pool)
        scope.state.metricMark = ctx.state.metricLog.count
        if stepHooks {
            var info = scope.state.info
            info["step"] = .string(stage.name)
            callHooks(CRYS_HOOK_BEFORE_STEP, info)
        }
        if scope.state.cacheKey != nil { scope.state.cacheKey = nil }
        if stage.cacheable, let cache, let inputHash {
            let params = OrderedDictionary(uniqueKeys: stage.params.names, values: frame.state.paramValues)
            let key = StepCache.key(stepIdentity: stage.identity, params: params, inputHash: inputHash)
            scope.state.cacheKey = key
            if let entry = cache.lookup(key, stream: { streamIdentity(stage, scope) }) {
                cache.count(hit: true)
                for (k, v) in entry.contextWrites { try ctx.add(k, v) }
                for (name, values) in entry.metrics { for v in values { ctx.recordMetric(name, v, tags: entry.metricTags[name] ?? []) } }
                for (name, bytes) in entry.artifacts { try writeArtifact(scope.state.replicate, scope.state.condition, stage.name, name, bytes) }
                return entry.output
            }
            cache.count(hit: false)
        }
        if !scope.state.written.isEmpty { scope.state.written = [:] }
        // Each stage has its own stream: results never depend on scheduling, and a cache hit
        // upstream never shifts the numbers a later step draws. Common streams are the same in
        // every condition, so baseline and treatment differ only by the treatment.
        if commonStreams { frame.useStream(seed: scope.state.seed, stage: stage.position) }
        else { frame.useStream(seed: scope.state.seed, condition: scope.state.condition, step: stage.name) }
        return nil
    }

    /// Everything after a stage's function returned: cache entry, provenance record, hooks.
    /// Returns the output's hash (the next stage's input hash) when data hashes are kept.
    private func finish(_ stage: PipelineStage, hit: Bool, output: Value, inputHash: String?,
                        scope: ConditionScope, _ ctx: RunContext) throws -> String? {
        let afterStepInfo = (scope.state.cacheKey != nil && !hit) || stepHooks ? storeAndDescribe(stage, hit: hit, output: output, scope: scope, ctx) : nil
        let outputHash = recordsDataHashes ? ValueHash.hex(output) : nil
        StepRecord.encode(step: stage.name, cacheHit: hit, inputHash: inputHash, outputHash: outputHash, context: ctx,
                          metricMark: scope.state.metricMark, into: &scope.state.records)
        scope.state.stepCount += 1
        if let afterStepInfo { callHooks(CRYS_HOOK_AFTER_STEP, afterStepInfo) }
        return outputHash
    }

    /// Stores a computed step's cache entry (when it is cached) and returns the after-step
    /// hooks' info (when hooks want it). Off the common path: most steps need neither.
    private func storeAndDescribe(_ stage: PipelineStage, hit: Bool, output: Value, scope: ConditionScope,
                                  _ ctx: RunContext) -> OrderedDictionary<String, Value>? {
        // This step's metric values by name, for the cache entry and the hooks.
        let newMetrics = RecordedMetric.grouped(ctx.state.metricLog[scope.state.metricMark...])
        if !hit, let key = scope.state.cacheKey, let cache {
            let tags = newMetrics.keys.reduce(into: OrderedDictionary<String, [String]>()) { t, k in if let v = ctx.state.metricTags[k] { t[k] = v } }
            // A step that drew random numbers is cached per stream (see StepCache+Streams).
            cache.store(key, CachedStep(output: output, metrics: newMetrics, contextWrites: OrderedDictionary(uniqueKeysWithValues: StepWrites(context: ctx)),
                                        artifacts: scope.state.written, metricTags: tags),
                        stream: scope.frame.drewFromStream ? streamIdentity(stage, scope) : nil)
        }
        guard stepHooks else { return nil }
        var info = scope.state.info
        info["step"] = .string(stage.name)
        info["metrics"] = .map(newMetrics.mapValues { .list($0) })
        info["cache_hit"] = .bool(hit)
        return info
    }

    /// The identity of the random stream `stage` draws from in `scope`, as the header defines it.
    private func streamIdentity(_ stage: PipelineStage, _ scope: ConditionScope) -> String {
        commonStreams ? "common \(scope.state.seed) \(stage.position)" : "independent \(scope.state.seed) \(scope.state.condition) \(stage.name)"
    }

    func writeArtifact(_ r: Int, _ condition: String, _ step: String, _ name: String, _ bytes: [UInt8]) throws {
        try ArtifactPaths.checkName(name, step: step)
        let path = ArtifactPaths.file(versionDirectory: versionDirectory, replicate: r, condition: condition, step: step, name: name)
        try AtomicFile.write(path, bytes: bytes, sync: false)
    }

    /// Calls every hook that asked for `event`; hook failures are logged, never fatal.
    func callHooks(_ event: UInt32, _ info: OrderedDictionary<String, Value>) {
        HookDispatcher.call(plan.hooks, event: event, info: info, seed: plan.seed, log: log)
    }
}

/// Where a (replicate, condition) is in its pipeline: the data and its hash passed from one
/// stage to the next, and the stage running (-1: loading upstream inputs; its name is looked
/// up only on failure).
struct StageCursor {
    var data: Value? = nil
    var hash: String? = nil
    var at = -1
}
