import OrderedCollections

/// Where a step parameter's value came from, as crystallize-ml resolves it.
public enum ParamOrigin: String {
    /// Written under the step's `params:` in config.yaml (or `--set`).
    case explicit = "param"
    /// The context key of the same name (a treatment, a host key, an earlier step's write).
    case context
    /// The default the step declares.
    case `default`
}

/// One parameter of a stage call: its name, value and origin.
public struct TracedParam {
    /// The declared name.
    public var name: String
    /// The value the step receives.
    public var value: Value
    /// Where it came from.
    public var origin: ParamOrigin
}

/// Watches each stage call of a `ReplicateRunner` with its data (`run --debug`). Called on the
/// thread that runs the stage, between the stage's `step_started` and `step_finished` events.
public protocol StageTracer: AnyObject {
    /// The stage is about to be called with `input` (nil for a datasource) and `params`.
    func stageWillRun(_ stage: String, replicate: Int, condition: String, input: Value?, params: [TracedParam])
    /// The stage returned `output`; `writes` are the context keys it added, `metrics` the
    /// metric values it recorded, in order.
    func stageDidRun(_ stage: String, replicate: Int, condition: String, output: Value, cacheHit: Bool,
                     writes: [(key: String, value: Value)], metrics: [(name: String, value: Value)])
}

extension PipelineStage {
    /// The parameters `frame` holds for this call, each with where it came from
    /// (`ParameterResolver.origin`).
    func tracedParams(_ frame: CallFrame, context: RunContext) -> [TracedParam] {
        params.names.indices.compactMap { i in
            guard i < frame.paramValues.count else { return nil }
            let name = params.names[i]
            // Looked up without recording a read, so tracing leaves provenance as it was.
            let origin = ParameterResolver.origin(i, table: params, explicit: explicit, inContext: { context.values[$0] != nil }) ?? .default
            return TracedParam(name: name, value: frame.paramValues[i], origin: origin)
        }
    }
}
