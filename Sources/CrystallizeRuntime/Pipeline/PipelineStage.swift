import OrderedCollections

/// One stage of the pipeline as a runner calls it: the planned step (or datasource) with the
/// config's explicit value for each of its parameters laid out in parameter order, and where
/// each parameter comes from under each condition.
final class PipelineStage {
    /// The planned step's fields the per-call path reads, held apart so reading one never
    /// copies the step.
    let name: String
    let function: StepFunction
    let params: ParamTable
    let explicit: [Value?]
    /// The parameters' sources by runner pool (one per condition of the plan, then one for
    /// any other condition).
    let sources: [[ParamSource]]
    let cacheable: Bool
    let identity: String
    /// Its position in the pipeline (the datasource, when there is one, is 0): it fixes the
    /// stage's common random stream.
    let position: Int

    /// `step` at `position`, with its parameter sources planned against each pool's host keys (nil: unknown).
    init(_ step: PlannedStep, position: Int, hostKeys: [OrderedDictionary<String, Value>?]) {
        name = step.name
        self.position = position
        function = step.function
        params = step.function.paramTable
        explicit = ParameterResolver.explicitValues(step.explicitParams, table: step.function.paramTable)
        sources = hostKeys.map { [params, explicit] in ParamSource.plan(params, explicit: explicit, hostKeys: $0) }
        cacheable = step.cacheable
        identity = step.identity
    }

    /// Readies `frame` for this stage's call under `context`: the context's per-step
    /// bookkeeping restarted, the frame named and emptied, the parameters resolved (with the
    /// sources of runner pool `pool`).
    @inline(__always)
    func ready(_ frame: CallFrame, context: RunContext, pool: Int) throws {
        context.beginStep(name)
        frame.begin(name, params: params)
        try ParameterResolver.resolve(step: name, table: params, sources: sources[pool], explicit: explicit, context: context, into: &frame.state.paramValues)
    }
}
