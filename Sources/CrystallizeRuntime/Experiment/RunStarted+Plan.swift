extension RunStarted {
    /// What `run_started` tells of a run of `plan` into version `version`, with `pending`
    /// (replicate, condition) pairs to run.
    init(plan: Plan, version: Int, pending: Int, strategy: RunStrategy) {
        self.init(experiment: plan.name, version: version, replicates: plan.replicates, conditions: plan.conditions.map(\.name),
                  steps: plan.allSteps.map(\.name), pending: pending, execution: plan.execution.strategy, strategy: strategy.rawValue)
    }
}
