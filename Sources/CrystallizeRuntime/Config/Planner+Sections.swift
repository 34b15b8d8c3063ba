import Foundation
import OrderedCollections

extension Planner {
    /// `hypotheses: [{name, verifier, metrics, params, ranker}]`.
    static func parseHypotheses(_ node: YAMLNode?, registry: PluginRegistry) throws -> [PlannedHypothesis] {
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
            try ExperimentConfig.checkName(name, node: body, what: "output name")
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
}
