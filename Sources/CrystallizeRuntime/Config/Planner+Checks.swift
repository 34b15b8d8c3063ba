import Foundation
import OrderedCollections

/// Checks that turn a config a verifier or strategy could not use into an error at its line,
/// before anything runs.
extension Planner {
    /// The strategy named under `execution:` (or by --execution), made once for the plan: it
    /// must exist and take the parameters given; errors name the file and the line of the
    /// strategy's name.
    static func strategy(_ execution: ExecutionSettings, node: YAMLNode?, fromCommandLine: Bool, registry: PluginRegistry, path: String) throws -> ExecutionStrategy {
        if ExecutionStrategies.builtins.contains(execution.strategy) { return try ExecutionStrategies.make(execution, registry: registry) }
        let strategyNode = (try? node?.mapping().first { $0.key == "strategy" }?.node) ?? node
        func located(_ message: String) -> ConfigError {
            if fromCommandLine { return ConfigError(file: path, line: nil, path: "", "--execution \(execution.strategy): \(message)") }
            return ConfigError(file: path, line: strategyNode?.line, path: "execution.strategy", message)
        }
        let strategy: ExecutionStrategy
        do { strategy = try ExecutionStrategies.make(execution, registry: registry) } catch let e as PluginError { throw located(e.description) }
        do { try strategy.checkParameters() } catch let e as PluginError {
            throw ConfigError(file: path, line: node?.line, path: "execution", e.description)
        }
        return strategy
    }

    /// A hypothesis's `params:` are ones its verifier takes, with values it can use.
    static func checkVerifierParams(_ verifier: VerifierRef, params: OrderedDictionary<String, Value>, node: YAMLNode?, item: YAMLNode) throws {
        func at(_ k: String) -> YAMLNode { (try? node?.mapping().first { $0.key == k }?.node) ?? node ?? item }
        switch verifier {
        case .builtin(let name):
            let known = BuiltinVerifiers.parameters(of: name)
            for (k, v) in params {
                guard let rule = known[k] else {
                    throw at(k).error("verifier '\(name)' has no parameter '\(k)'; its parameters: \(known.keys.sorted().joined(separator: ", "))")
                }
                if let problem = rule(v) { throw at(k).error("verifier '\(name)' parameter '\(k)': \(problem)") }
            }
        case .plugin(let e):
            for (k, v) in params {
                guard let spec = e.params.first(where: { $0.name == k }) else {
                    throw at(k).error("verifier '\(e.qualifiedName)' has no parameter '\(k)'; its parameters: \(e.params.isEmpty ? "none" : e.params.map(\.name).joined(separator: ", "))")
                }
                if !spec.type.accepts(v) { throw at(k).error("verifier '\(e.qualifiedName)' parameter '\(k)' must be \(spec.type.rawValue), got \(v.typeName)") }
            }
        }
    }
}
