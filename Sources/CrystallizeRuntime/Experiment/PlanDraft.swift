import Foundation
import OrderedCollections

/// A plan being assembled. The planner fills it from a config, the loaded plugins and the
/// overrides; the graph completes it (producers named in `inputs`, inherited treatments,
/// `--treatment`); `Plan(draft)` then validates it and freezes it. Only these stages edit it.
struct PlanDraft {
    var name: String
    var description: String
    var directory: String
    var configPath: String
    var configSHA256: String
    var replicates: Int
    var seed: UInt64
    var datasource: PlannedStep?
    var steps: [PlannedStep]
    var conditions: [Condition]
    var hypotheses: [PlannedHypothesis]
    var outputs: OrderedDictionary<String, OutputSpec>
    var hooks: [PluginExport]
    var execution: ExecutionSettings
    /// The strategy `execution` names, made (and its parameters checked) by the planner.
    var strategy: ExecutionStrategy
    var registry: PluginRegistry
    var dataRoot: String
    var cacheEnabled: Bool
    var inputs: OrderedDictionary<String, ArtifactInput> = [:]
    var retention = RetentionSettings()
    var retries = 0
    /// `data_hashes:` as written; the plan also hashes when any step is cached.
    var dataHashes = false
    var randomStreams: RandomStreams = .common
    /// `optimize:` (not read for an optimization's trials, which run plain experiments).
    var optimize: OptimizeSpec?
    /// `RunOverrides.firstReplicate`: where this run's replicates start in a longer run.
    var firstReplicate = 0
    var settings: [SettingOverride] = []
    var toggles = ToggleState()
    /// Every value a treatment sets (written, swept or inherited), where it was set: checked
    /// against the steps once all treatments are known.
    var treatmentValues: [TreatmentValue] = []

    /// The datasource (when there is one) and then the steps.
    var allSteps: [PlannedStep] { (datasource.map { [$0] } ?? []) + steps }

    /// A treatment value reaches every step parameter of the same name that config.yaml does
    /// not set explicitly; checking its type before anything runs reports a typo at its line
    /// instead of failing every replicate of that treatment. Inherited treatments are checked
    /// against this experiment's steps, which is why this runs after inheritance.
    func checkTreatmentTypes() throws {
        for t in treatmentValues where t.key != "data" {
            for step in allSteps where step.explicitParams[t.key] == nil {
                guard let spec = step.function.params.first(where: { $0.name == t.key }), !spec.type.accepts(t.value) else { continue }
                // An inherited value is written in the producer's config; the step that refuses
                // it is the consumer's, which the message must name too.
                let consumer = t.inherited ? " of experiment '\(name)' (\(configPath), which inherits '\(t.treatment)')" : ""
                let what = "'\(t.treatment)' sets '\(t.key)' to \(t.value.typeName), but parameter '\(t.key)' of step '\(step.name)'\(consumer) must be \(spec.type.rawValue)"
                switch t.origin {
                case .written(let node): throw node.error("treatment " + what)
                case .swept(let node, let file):
                    throw node?.error("sweep treatment " + what) ?? ConfigError(file: file, line: nil, path: "--sweep", "sweep treatment " + what)
                }
            }
        }
    }
}

/// One value a treatment sets, and where: for errors at the line that set it.
struct TreatmentValue {
    /// Where the value comes from.
    enum Origin {
        /// A `treatments:` entry (this experiment's or an upstream's); the node of the value.
        case written(YAMLNode)
        /// A generated sweep treatment: the `sweep:` node (nil for `--sweep` only) and the file.
        case swept(YAMLNode?, file: String)
    }
    let treatment: String
    let key: String
    let value: Value
    let origin: Origin
    /// Whether the treatment came down from a producer (so `origin` is in the producer's config).
    var inherited = false
}
