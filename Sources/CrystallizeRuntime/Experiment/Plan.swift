import Foundation
import OrderedCollections

/// One step of a planned pipeline.
public struct PlannedStep {
    /// The name used in results, provenance and artifact folders.
    public var name: String
    /// What is called.
    public var function: StepFunction
    /// Parameters written in config.yaml.
    public var explicitParams: OrderedDictionary<String, Value>
    /// Whether its outputs go to the step cache (export flag, config override, --no-cache).
    public var cacheable: Bool
    /// sha256 of (library sha256, function name, canonical explicit params): the step's identity.
    public var identity: String
}

/// A condition: the baseline or one treatment, with the context keys it adds.
public struct Condition: Equatable {
    /// "baseline" or the treatment's name.
    public var name: String
    /// Keys added to the context before the datasource runs.
    public var additions: OrderedDictionary<String, Value>
}

/// A verifier: built in, or a plugin export.
public enum VerifierRef {
    /// One of `BuiltinVerifiers`.
    case builtin(String)
    /// A plugin's verifier export.
    case plugin(PluginExport)

    /// Its name as written.
    public var name: String {
        switch self { case .builtin(let n): return n; case .plugin(let e): return e.qualifiedName }
    }
}

/// A hypothesis to test after the run.
public struct PlannedHypothesis {
    /// Its name.
    public var name: String
    /// The verifier.
    public var verifier: VerifierRef
    /// Metric groups: each group is tested once (crystallize-ml's one / list / list of lists).
    public var metricGroups: [[String]]
    /// Verifier parameters (e.g. alpha).
    public var params: OrderedDictionary<String, Value>
    /// The ranker: a result key, lower is better (default "p_value").
    public var rankBy: String
}

/// Which random stream a stage draws from (`random_streams:` in config.yaml).
public enum RandomStreams: String, CaseIterable {
    /// Fixed by (replicate seed, stage position): the same in every condition (common random
    /// numbers), so identical work in baseline and treatment sees identical draws.
    case common
    /// Fixed by (replicate seed, condition, step name): each condition its own draws.
    case independent
}

/// How replicates run.
public struct ExecutionSettings: Equatable {
    /// "serial", "threads", "processes", "async" or a plugin strategy name.
    public var strategy: String = "serial"
    /// Worker count for parallel strategies.
    public var workers: Int = max(ProcessInfo.processInfo.activeProcessorCount, 1)
    /// Strategy parameters (plugin strategies).
    public var params: OrderedDictionary<String, Value> = [:]
    /// Defaults.
    public init() {}
}

/// A fully resolved experiment: everything needed to run it, with every name checked. Built
/// once from a completed `PlanDraft` (after inheritance, so its checks see every treatment)
/// and never changed: whatever reads a plan sees what every other reader sees.
public final class Plan {
    /// Experiment name.
    public let name: String
    /// Free text.
    public let description: String
    /// The experiment folder.
    public let directory: String
    /// The config file.
    public let configPath: String
    /// sha256 of the config file's bytes.
    public let configSHA256: String
    /// Replicates to run.
    public let replicates: Int
    /// Base seed; replicate r uses (seed + r * 31337) mod 2^32.
    public let seed: UInt64
    /// The datasource; nil when the data comes from upstream artifacts (`inputs`).
    public let datasource: PlannedStep?
    /// The steps, in order.
    public let steps: [PlannedStep]
    /// Baseline first, then the active treatments (inherited ones first, then its own).
    public let conditions: [Condition]
    /// Hypotheses.
    public let hypotheses: [PlannedHypothesis]
    /// Declared outputs (artifacts), by name.
    public let outputs: OrderedDictionary<String, OutputSpec>
    /// Hooks of loaded plugins.
    public let hooks: [PluginExport]
    /// Execution settings.
    public let execution: ExecutionSettings
    /// The strategy `execution` names, made once by the planner.
    public let strategy: ExecutionStrategy
    /// The plugins.
    public let registry: PluginRegistry
    /// Root of the data folder (default `<experiments parent>/data`).
    public let dataRoot: String
    /// Whether the step cache is used at all.
    public let cacheEnabled: Bool
    /// Upstream artifact inputs: datasource key to (producer experiment's name, artifact).
    public let inputs: OrderedDictionary<String, ArtifactInput>
    /// Keep-N-versions settings.
    public let retention: RetentionSettings
    /// `retries:`: further attempts of a failed (replicate, condition).
    public let retries: Int
    /// Whether step records carry the sha256 of each step's input and output: asked for with
    /// `data_hashes: true`, and always when a step is cached (the cache key needs them anyway).
    /// Off otherwise, because hashing every intermediate value is most of a small step's cost.
    public let recordsDataHashes: Bool
    /// The random-stream rule; part of the pipeline signature, metadata and provenance.
    public let randomStreams: RandomStreams
    /// `--set` values applied to this plan, recorded in provenance.
    public let settings: [SettingOverride]
    /// The run screen's toggles applied to this plan (treatments off, steps uncached).
    public let toggles: ToggleState
    /// The index of this run's replicate 0 in a longer run (an optimization round extending
    /// its candidates; otherwise 0): the context's `replicate` and the seeds count from it.
    public let firstReplicate: Int
    /// `optimize:`, parsed and checked once by the planner; nil when there is none, and in the
    /// plans of an optimization's own trials.
    public let optimize: OptimizeSpec?

    /// Validates `draft` (treatment values against the parameters they feed) and freezes it.
    init(_ draft: PlanDraft) throws {
        try draft.checkTreatmentTypes()
        name = draft.name; description = draft.description; directory = draft.directory
        configPath = draft.configPath; configSHA256 = draft.configSHA256; replicates = draft.replicates
        seed = draft.seed; datasource = draft.datasource; steps = draft.steps; conditions = draft.conditions
        hypotheses = draft.hypotheses; outputs = draft.outputs; hooks = draft.hooks; execution = draft.execution
        strategy = draft.strategy
        registry = draft.registry; dataRoot = draft.dataRoot; cacheEnabled = draft.cacheEnabled
        inputs = draft.inputs; retention = draft.retention; retries = draft.retries
        recordsDataHashes = draft.dataHashes || draft.allSteps.contains { $0.cacheable }
        randomStreams = draft.randomStreams; settings = draft.settings; toggles = draft.toggles
        firstReplicate = draft.firstReplicate
        optimize = draft.optimize
    }

    /// The datasource (when there is one) and then the steps: everything that runs per condition.
    public var allSteps: [PlannedStep] { (datasource.map { [$0] } ?? []) + steps }

    /// The seed of replicate `r`: (seed + r * 31337) mod 2^32, as crystallize-ml computes it,
    /// r counted from `firstReplicate`.
    public func seedUsed(replicate r: Int) -> UInt64 { (seed &+ UInt64(firstReplicate + r) &* 31337) % (1 << 32) }

    /// The replicate index steps and hooks see for this run's replicate `r`.
    public func contextReplicate(_ r: Int) -> Int { firstReplicate + r }

    /// What identifies the computation: step names, their identities (binary, params), datasource.
    public var pipelineSignature: String {
        let source = datasource.map { $0.name + ":" + $0.identity }
            ?? "inputs:" + inputs.map { "\($0.key)=\($0.value.experiment)#\($0.value.artifact)" }.joined(separator: ",")
        var parts = [source] + steps.map { $0.name + ":" + $0.identity }
        // Runs made before the rule existed used independent streams: their signature stays
        // what it was, and a common-stream run never resumes one of them.
        if randomStreams != .independent { parts.append("random_streams:" + randomStreams.rawValue) }
        // Steps see the replicate index: a run that starts elsewhere computes something else.
        if firstReplicate != 0 { parts.append("first_replicate:\(firstReplicate)") }
        return ValueHash.hex(.list(parts.map { .string($0) }))
    }

    /// The experiment's folder under the data root.
    public var experimentDataDirectory: String { (dataRoot as NSString).appendingPathComponent(name) }
}

/// A declared output artifact.
public struct OutputSpec {
    /// Its name (the key under `outputs:`).
    public var name: String
    /// The file name written under the step's folder.
    public var fileName: String
    /// "bytes", "text", "json", or a plugin codec name.
    public var codec: String
    /// A plugin codec, when not built in.
    public var pluginCodec: PluginExport?
}

/// An upstream artifact read by the datasource: `key: experiment#artifact`.
public struct ArtifactInput {
    /// Upstream experiment name.
    public var experiment: String
    /// Output name in that experiment.
    public var artifact: String
}

/// Version retention (crystallize-ml's ArtifactPlugin versioned / artifact_retention).
public struct RetentionSettings {
    /// Keep older versions at all (else each run replaces v0).
    public var versioned = false
    /// How many versions keep their artifacts.
    public var keep = 3
    /// Files larger than this are removed from kept older versions.
    public var largeFileBytes = 10 * 1024 * 1024
    /// Defaults.
    public init() {}
}
