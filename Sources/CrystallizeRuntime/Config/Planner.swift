import Foundation
import OrderedCollections

/// Resolves a read `ExperimentConfig` against the loaded plugins and the command line's
/// overrides into a `PlanDraft`: every step, datasource, codec, verifier, optimizer and strategy
/// name checked, problems reported with file and line. The graph completes drafts (inputs,
/// inherited treatments, `--treatment`) and freezes each into a `Plan`.
public enum Planner {
    /// The draft of `config`; its plugins must already be loaded into `registry`
    /// (`PluginRegistry.load(for:pluginPaths:)`).
    static func draft(_ config: ExperimentConfig, registry: PluginRegistry, overrides: RunOverrides) throws -> PlanDraft {
        let fields = config.fields
        let cacheEnabled = config.cacheEnabled && !overrides.noCache
        let outputs = try parseOutputs(fields["outputs"], registry: registry)
        var steps: [PlannedStep] = []
        var usedNames = Set<String>()
        for item in config.stepEntries {
            var s = try parseCallable(item, kind: .step, registry: registry, cacheEnabled: cacheEnabled)
            var n = s.name, k = 2
            while usedNames.contains(n) { n = "\(s.name)_\(k)"; k += 1 }
            s.name = n
            usedNames.insert(n)
            steps.append(s)
        }
        let datasource = try config.datasourceEntry.map { try parseCallable($0, kind: .datasource, registry: registry, cacheEnabled: cacheEnabled) }
        let replicates = overrides.replicates ?? config.replicates
        let seed = overrides.seed ?? config.seed
        let (conditions, generated) = try generatedConditions(config, overrides: overrides)
        let optimize = overrides.trialTreatments == nil ? try OptimizeSpec.parse(fields["optimize"], registry: registry, seed: seed, replicates: replicates) : nil
        let hypotheses = try parseHypotheses(fields["hypotheses"], registry: registry)
        var execution = config.execution
        if let s = overrides.execution { execution.strategy = s }
        if let w = overrides.workers { execution.workers = w }
        guard execution.workers >= 1 else { throw ConfigError(file: config.path, line: nil, path: "execution.workers", "workers must be at least 1") }
        let strategy = try Self.strategy(execution, node: fields["execution"], fromCommandLine: overrides.execution != nil, registry: registry, path: config.path)

        let dataRoot = overrides.targetDataRoot ?? overrides.dataRoot ?? "data"
        var draft = PlanDraft(
            name: config.name, description: config.description, directory: config.directory, configPath: config.path,
            configSHA256: config.sha256, replicates: replicates, seed: seed, datasource: datasource, steps: steps,
            conditions: conditions, hypotheses: hypotheses, outputs: outputs, hooks: registry.exports(of: .hook),
            execution: execution, strategy: strategy, registry: registry, dataRoot: URL(fileURLWithPath: dataRoot).standardizedFileURL.path,
            cacheEnabled: cacheEnabled)
        draft.inputs = config.inputs
        draft.retention = config.retention
        draft.retries = config.retries
        draft.firstReplicate = overrides.firstReplicate ?? 0
        draft.randomStreams = config.randomStreams
        draft.optimize = optimize
        draft.dataHashes = config.dataHashes
        draft.treatmentValues = config.writtenTreatmentValues + generated
        try applyOverrides(&draft, overrides: overrides, treatmentsNode: fields["treatments"])
        return draft
    }
}
