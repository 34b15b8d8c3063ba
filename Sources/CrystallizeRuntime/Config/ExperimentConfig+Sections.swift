import Foundation
import OrderedCollections

/// The sections of config.yaml that are read without any plugin: treatments, upstream inputs,
/// execution settings, `cli:`, `retries:` and `random_streams:`.
extension ExperimentConfig {
    /// `treatments: {name: {key: value, ...}}`; baseline first. A treatment named `baseline`
    /// replaces the baseline's additions, as in crystallize-ml.
    static func parseTreatments(_ node: YAMLNode?) throws -> [Condition] { try readTreatments(node).conditions }

    /// The conditions of `treatments:` and every value they set with its node (for the plan's
    /// type check at the value's line), in one walk.
    static func readTreatments(_ node: YAMLNode?) throws -> (conditions: [Condition], values: [TreatmentValue]) {
        var baseline = Condition(name: "baseline", additions: [:])
        var treatments: [Condition] = []
        var values: [TreatmentValue] = []
        if let node, !node.isNull {
            for (name, body) in try node.mapping("a mapping of treatment names to context additions") {
                try checkName(name, node: body, what: "treatment name")
                let additions = try body.params()
                // The host sets these before a treatment is applied; context keys are add-only.
                if !body.isNull, let (key, v) = try body.mapping().first(where: { hostKeys.contains($0.key) }) {
                    throw v.error("treatment '\(name)' sets '\(key)', which the host sets itself (\(hostKeys.joined(separator: ", "))); context keys are add-only")
                }
                if name == "baseline" { baseline.additions = additions } else { treatments.append(Condition(name: name, additions: additions)) }
                if !body.isNull {
                    for (key, v) in try body.mapping() { values.append(TreatmentValue(treatment: name, key: key, value: try v.value(), origin: .written(v))) }
                }
            }
        }
        return ([baseline] + treatments, values)
    }

    /// `datasource: {key: experiment#artifact, ...}` — upstream artifacts — or nil if this is
    /// an ordinary datasource entry.
    static func parseInputs(_ node: YAMLNode) throws -> OrderedDictionary<String, ArtifactInput>? {
        guard case .mapping = node.node else { return nil }
        let entries = try node.mapping()
        let refs = entries.filter { if case .scalar(let s) = $0.node.node { return s.string.contains("#") }; return false }
        if refs.isEmpty { return nil }
        guard refs.count == entries.count else {
            throw node.error("mixes upstream artifacts (experiment#artifact) with other entries; list only experiment#artifact references")
        }
        var out = OrderedDictionary<String, ArtifactInput>()
        for (k, v) in entries {
            let parts = try v.string().split(separator: "#", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw v.error("expected 'experiment#artifact'") }
            out[k] = ArtifactInput(experiment: parts[0], artifact: parts[1])
        }
        return out
    }

    /// `execution: serial` or `execution: {strategy: processes, workers: 4, ...strategy params}`.
    static func parseExecution(_ node: YAMLNode) throws -> ExecutionSettings {
        var s = ExecutionSettings()
        if case .scalar = node.node { s.strategy = try node.string(); return s }
        for (k, v) in try node.mapping("a strategy name or mapping") {
            switch k {
            case "strategy": s.strategy = try v.string()
            case "workers":
                s.workers = try v.int()
                guard s.workers >= 1 else { throw v.error("workers must be at least 1") }
            default: s.params[k] = try v.value()
            }
        }
        if !ExecutionStrategies.builtins.contains(s.strategy) { return s }
        if let extra = s.params.keys.first {
            throw node.error("unknown key '\(extra)' for the built-in '\(s.strategy)' strategy; allowed: strategy, workers")
        }
        return s
    }

    /// crystallize-ml's `cli:` section (how the experiment appears in a UI); `hidden` keeps it
    /// out of `list`.
    static let cliKeys: [String: String] = ["group": "string", "priority": "integer", "icon": "string", "color": "string", "hidden": "bool"]

    /// Checks `cli:` keys and types.
    static func checkCLI(_ node: YAMLNode?) throws {
        guard let node, !node.isNull else { return }
        for (k, v) in try node.mapping("a mapping of display settings (group, priority, icon, color, hidden)") {
            guard let type = cliKeys[k] else {
                throw v.error("unknown key '\(k)' in cli; allowed: \(cliKeys.keys.sorted().joined(separator: ", "))")
            }
            switch type {
            case "integer": _ = try v.int()
            case "bool": _ = try v.bool()
            default: _ = try v.string()
            }
        }
    }

    /// The most retries a config may ask for: enough for any flaky step, and a typo of a few
    /// extra digits fails here instead of running a failing replicate forever.
    static let maximumRetries = 100

    /// `retries: N`, 0 to `maximumRetries`.
    static func parseRetries(_ node: YAMLNode?) throws -> Int {
        guard let node, !node.isNull else { return 0 }
        let n = try node.int()
        guard n >= 0 && n <= maximumRetries else { throw node.error("retries must be between 0 and \(maximumRetries), got \(n)") }
        return n
    }

    /// `random_streams: common | independent` (common when absent).
    static func parseRandomStreams(_ node: YAMLNode?) throws -> RandomStreams {
        guard let node else { return .common }
        let text = try node.string()
        guard let rule = RandomStreams(rawValue: text) else {
            throw node.error("random_streams must be one of \(RandomStreams.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return rule
    }

    /// Top-level keys that look like settings of something else get a pointer to the right one.
    static func misplacedKeyHint(_ key: String) -> String? {
        switch key {
        case "strategy": return "'strategy' is not a config key: pick rerun or resume with --strategy on the command line, or the execution strategy with execution: {strategy: NAME}"
        case "workers": return "'workers' belongs under execution: {strategy: NAME, workers: N}"
        default: return nil
        }
    }
}
