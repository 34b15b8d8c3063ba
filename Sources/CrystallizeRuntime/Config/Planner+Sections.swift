import Foundation
import OrderedCollections

extension Planner {
    /// Context keys the host sets for every (replicate, condition).
    static let hostKeys = ["replicate", "condition", "seed_used"]

    /// `treatments: {name: {key: value, ...}}`; baseline first. A treatment named `baseline`
    /// replaces the baseline's additions, as in crystallize-ml.
    static func parseTreatments(_ node: YAMLNode?, active: [String]?, root: YAMLNode) throws -> [Condition] {
        var baseline = Condition(name: "baseline", additions: [:])
        var treatments: [Condition] = []
        if let node, !node.isNull {
            for (name, body) in try node.mapping("a mapping of treatment names to context additions") {
                try checkName(name, node: body, what: "treatment name")
                let additions = try body.params()
                // The host sets these before a treatment is applied; context keys are add-only.
                if !body.isNull, let (key, v) = try body.mapping().first(where: { hostKeys.contains($0.key) }) {
                    throw v.error("treatment '\(name)' sets '\(key)', which the host sets itself (\(hostKeys.joined(separator: ", "))); context keys are add-only")
                }
                if name == "baseline" { baseline.additions = additions } else { treatments.append(Condition(name: name, additions: additions)) }
            }
        }
        if let active {
            for a in active where a != "baseline" && !treatments.contains(where: { $0.name == a }) {
                throw ConfigError(file: root.file, line: nil, path: "treatments", "--treatment '\(a)' is not defined; defined: \(treatments.map(\.name).joined(separator: ", "))")
            }
            treatments = treatments.filter { active.contains($0.name) }
        }
        return [baseline] + treatments
    }

    /// A treatment value reaches every step parameter of the same name that config.yaml does
    /// not set explicitly; checking its type now reports a typo with its line before anything
    /// runs, instead of failing every replicate of that treatment.
    static func checkTreatmentTypes(_ node: YAMLNode?, callables: [PlannedStep]) throws {
        guard let node, !node.isNull else { return }
        for (name, body) in try node.mapping() where !body.isNull {
            for (key, v) in try body.mapping() {
                let value = try v.value()
                for step in callables where step.explicitParams[key] == nil {
                    guard key != "data", let spec = step.function.params.first(where: { $0.name == key }), !spec.type.accepts(value) else { continue }
                    throw v.error("treatment '\(name)' sets '\(key)' to \(value.typeName), but parameter '\(key)' of step '\(step.name)' must be \(spec.type.rawValue)")
                }
            }
        }
    }

    /// `hypotheses: [{name, verifier, metrics, params, ranker}]`.
    static func parseHypotheses(_ node: YAMLNode?, registry: PluginRegistry, conditions: [Condition]) throws -> [PlannedHypothesis] {
        guard let node, !node.isNull else { return [] }
        var out: [PlannedHypothesis] = []
        for item in try node.sequence("a list of hypotheses") {
            try item.checkKeys(["name", "verifier", "metrics", "params", "ranker"])
            var name: String? = nil, verifierName: String? = nil, groups: [[String]] = [], params = OrderedDictionary<String, Value>(), rank = "p_value"
            var metricsNode: YAMLNode? = nil, paramsNode: YAMLNode? = nil
            for (k, v) in try item.mapping() {
                switch k {
                case "name": name = try v.string()
                case "verifier": verifierName = try v.string()
                case "metrics": metricsNode = v; groups = try metricGroups(v)
                case "params": params = try v.params(); paramsNode = v
                case "ranker": rank = try v.string()
                default: break
                }
            }
            guard let verifierName else { throw item.error("a hypothesis needs a 'verifier'") }
            guard metricsNode != nil else { throw item.error("a hypothesis needs 'metrics'") }
            let verifier: VerifierRef
            if BuiltinVerifiers.names.contains(verifierName) { verifier = .builtin(verifierName) } else {
                do { verifier = .plugin(try registry.find(.verifier, verifierName)) } catch let e as PluginError {
                    throw item.error("\(e.description); built-in verifiers: \(BuiltinVerifiers.names.joined(separator: ", "))")
                }
            }
            try checkVerifierParams(verifier, params: params, node: paramsNode, item: item)
            var hname = name ?? "hypothesis"
            if name == nil { var k = 2; while out.contains(where: { $0.name == hname }) { hname = "hypothesis_\(k)"; k += 1 } }
            if out.contains(where: { $0.name == hname }) { throw item.error("hypothesis '\(hname)' is defined twice") }
            out.append(PlannedHypothesis(name: hname, verifier: verifier, metricGroups: groups, params: params, rankBy: rank))
        }
        return out
    }

    /// crystallize-ml's metric spec: "m" is one group [m]; [a, b] is ONE group [a, b] (tested
    /// together); [[a], [b]] is two groups, each tested on its own.
    static func metricGroups(_ v: YAMLNode) throws -> [[String]] {
        if case .scalar = v.node { return [[try v.string()]] }
        let items = try v.sequence("a metric name, a list of names, or a list of lists")
        var groups: [[String]] = []
        if items.allSatisfy({ if case .scalar = $0.node { return true }; return false }) {
            groups = [try items.map { try $0.string() }]
        } else {
            for item in items {
                guard case .sequence = item.node else { throw item.error("mix of names and lists; write either [a, b] or [[a], [b]]") }
                groups.append(try item.sequence().map { try $0.string() })
            }
        }
        guard !groups.isEmpty, groups.allSatisfy({ !$0.isEmpty }) else { throw v.error("metrics must not be empty") }
        return groups
    }

    /// `outputs: {name: {file_name, loader, writer}}`.
    static func parseOutputs(_ node: YAMLNode?, registry: PluginRegistry) throws -> OrderedDictionary<String, OutputSpec> {
        guard let node, !node.isNull else { return [:] }
        var out = OrderedDictionary<String, OutputSpec>()
        for (name, body) in try node.mapping("a mapping of output names") {
            try checkName(name, node: body, what: "output name")
            var fileName = name, codec = "bytes"
            if !body.isNull {
                try body.checkKeys(["file_name", "loader", "writer", "codec"])
                var loader: String? = nil, writer: String? = nil
                for (k, v) in try body.mapping() {
                    switch k {
                    case "file_name": fileName = try v.string()
                    case "loader": loader = try v.string()
                    case "writer": writer = try v.string()
                    case "codec": codec = try v.string()
                    default: break
                    }
                }
                if let l = loader, let w = writer, l != w { throw body.error("loader '\(l)' and writer '\(w)' differ; one codec reads and writes a file") }
                codec = loader ?? writer ?? codec
            }
            do { try ArtifactPaths.checkName(fileName, step: "outputs.\(name)") } catch { throw body.error("file_name '\(fileName)' may not contain '/' or '..'") }
            var plugin: PluginExport? = nil
            if !ArtifactCodecs.builtins.contains(codec) {
                do { plugin = try registry.find(.codec, codec) } catch let e as PluginError {
                    throw body.error("\(e.description); built-in codecs: \(ArtifactCodecs.builtins.joined(separator: ", "))")
                }
            }
            out[name] = OutputSpec(name: name, fileName: fileName, codec: codec, pluginCodec: plugin)
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
}
