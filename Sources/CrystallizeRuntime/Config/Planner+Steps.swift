import Foundation
import OrderedCollections

extension Planner {
    static let stepKeys = ["name", "step", "datasource", "params", "cache", "ffi"]

    /// A step or datasource entry: `name`, `{name: {params}}`, `{step: name, params: {...}, cache: bool}`,
    /// or `{ffi: {library: libm.so.6, signature: "f64 pow(f64 data, f64 exponent)"}, params: {...}}`.
    static func parseCallable(_ node: YAMLNode, kind: ExportKind, registry: PluginRegistry, cacheEnabled: Bool) throws -> PlannedStep {
        var ref: String? = nil
        var params = OrderedDictionary<String, Value>()
        var paramsNode: YAMLNode? = nil
        var cacheOverride: Bool? = nil
        var displayName: String? = nil
        var ffi: YAMLNode? = nil
        if case .scalar = node.node {
            ref = try node.string()
        } else {
            let entries = try node.mapping("a \(kind.rawValue) name or mapping")
            let reserved = Set(stepKeys)
            if entries.count == 1, !reserved.contains(entries[0].key), kind == .datasource, case .scalar = entries[0].node.node, !entries[0].node.isNull {
                // crystallize-ml's `datasource: {alias: factory}`: the value names the datasource.
                ref = try entries[0].node.string()
            } else if entries.count == 1, !reserved.contains(entries[0].key) {
                ref = entries[0].key
                params = try entries[0].node.params()
                paramsNode = entries[0].node
            } else {
                try node.checkKeys(stepKeys)
                for (k, v) in entries {
                    switch k {
                    case "step", "datasource": ref = try v.string()
                    case "name": displayName = try v.string()
                    case "params": params = try v.params(); paramsNode = v
                    case "cache": cacheOverride = try v.bool()
                    case "ffi": ffi = v
                    default: break
                    }
                }
                if ref == nil && ffi == nil { ref = displayName }
            }
        }
        let function: StepFunction
        let what: String
        if let ffi {
            try ffi.checkKeys(["library", "signature"])
            var library = "", signature = ""
            for (k, v) in try ffi.mapping() { if k == "library" { library = try v.string() } else { signature = try v.string() } }
            guard !library.isEmpty, !signature.isEmpty else { throw ffi.error("ffi needs both 'library' and 'signature'") }
            what = "\(kind.rawValue) at \(node.file):\(node.line ?? 0)"
            do {
                function = try StepFunction(library: library, signature: signature, cacheable: cacheOverride ?? false, what: what)
            } catch let e as PluginError { throw ffi.error(e.description) }
        } else {
            guard let ref else { throw node.error("a \(kind.rawValue) needs a name") }
            let export: PluginExport
            do { export = try registry.find(kind, ref) } catch let e as PluginError { throw node.error(e.description) }
            do { function = try StepFunction(export: export) } catch let e as PluginError { throw node.error(e.description) }
            what = ref
        }
        // A parameter's problem is reported at its own line when it has one.
        func at(_ k: String) -> YAMLNode { (try? paramsNode?.mapping().first { $0.key == k }?.node) ?? node }
        for k in params.keys {
            guard let spec = function.params.first(where: { $0.name == k }), k != "data" else {
                throw at(k).error("\(kind.rawValue) '\(function.name)' has no parameter '\(k)'; its parameters: \(function.params.filter { $0.name != "data" }.map(\.name).joined(separator: ", "))")
            }
            if !spec.type.accepts(params[k]!) {
                throw at(k).error("parameter '\(k)' of '\(function.name)' must be \(spec.type.rawValue), got \(params[k]!.typeName)")
            }
        }
        if kind == .datasource, function.params.contains(where: { $0.name == "data" }) {
            throw node.error("datasource '\(function.name)' declares a 'data' parameter; datasources take no input")
        }
        let name = displayName ?? (ref.map { $0.split(separator: ".").last.map(String.init) ?? $0 } ?? function.name)
        try ExperimentConfig.checkName(name, node: node, what: "\(kind.rawValue) name")
        let cacheable = cacheEnabled && (cacheOverride ?? function.cacheable)
        let identity = stepIdentity(function: function, params: params)
        _ = what
        return PlannedStep(name: name, function: function, explicitParams: params, cacheable: cacheable, identity: identity)
    }
}
