import Foundation
import OrderedCollections

/// A consumer experiment and every upstream producer it reads (`producer#artifact`),
/// found recursively under the experiments root and ordered so producers run first.
public final class ExperimentGraph {
    /// Plans in execution order; the target is last.
    public private(set) var order: [Plan] = []
    /// Experiment name to the names it reads from.
    public private(set) var dependencies: OrderedDictionary<String, [String]> = [:]
    /// Warnings found while loading (unused outputs).
    public private(set) var warnings: [String] = []

    /// Loads `target` and its upstreams. Overrides other than plugins, data root, execution
    /// and cache apply to the target only.
    public init(target: String, registry: PluginRegistry, overrides: RunOverrides) throws {
        let targetPlan = try Planner.plan(target: target, registry: registry, overrides: overrides)
        var upstreamOverrides = RunOverrides()
        upstreamOverrides.dataRoot = overrides.dataRoot
        upstreamOverrides.execution = overrides.execution
        upstreamOverrides.workers = overrides.workers
        upstreamOverrides.noCache = overrides.noCache
        let experimentsRoot = ExperimentGraph.experimentsRoot(for: targetPlan.directory)
        var index: [String: String] = [:]
        for e in ExperimentCatalog.list(root: experimentsRoot) where e.problem == nil { index[e.name] = e.path }

        var plans: [String: Plan] = [targetPlan.name: targetPlan]
        var state: [String: Int] = [:]  // 1 = visiting, 2 = done
        var ordered: [Plan] = []
        func visit(_ plan: Plan, path: [String]) throws {
            if state[plan.name] == 2 { return }
            if state[plan.name] == 1 { throw ConfigError(file: plan.configPath, line: nil, path: "datasource", "dependency cycle: \((path + [plan.name]).joined(separator: " -> "))") }
            state[plan.name] = 1
            var deps: [String] = []
            for (key, input) in plan.inputs {
                if !deps.contains(input.experiment) { deps.append(input.experiment) }
                let up: Plan
                if let p = plans[input.experiment] { up = p } else {
                    guard let cfg = index[input.experiment] else {
                        throw ConfigError(file: plan.configPath, line: nil, path: "datasource.\(key)",
                                          "no experiment named '\(input.experiment)' under \(experimentsRoot); known: \(index.keys.sorted().joined(separator: ", "))")
                    }
                    up = try Planner.plan(target: cfg, registry: registry, overrides: upstreamOverrides)
                    plans[up.name] = up
                }
                guard up.outputs[input.artifact] != nil else {
                    throw ConfigError(file: plan.configPath, line: nil, path: "datasource.\(key)",
                                      "experiment '\(up.name)' declares no output '\(input.artifact)'; its outputs: \(up.outputs.keys.joined(separator: ", "))")
                }
                try visit(up, path: path + [plan.name])
            }
            dependencies[plan.name] = deps
            state[plan.name] = 2
            ordered.append(plan)
        }
        try visit(targetPlan, path: [])
        order = ordered
        try checkArtifacts()
        inheritTreatments()
    }

    /// The experiments root: the nearest ancestor folder named `experiments`, else the
    /// target's parent folder.
    static func experimentsRoot(for dir: String) -> String {
        var url = URL(fileURLWithPath: dir).standardizedFileURL
        while url.path != "/" {
            if url.lastPathComponent == "experiments" { return url.path }
            url.deleteLastPathComponent()
        }
        return (dir as NSString).deletingLastPathComponent
    }

    private func checkArtifacts() throws {
        var producer: [String: String] = [:]
        for p in order {
            for name in p.outputs.keys {
                if let other = producer[name], other != p.name {
                    throw ConfigError(file: p.configPath, line: nil, path: "outputs.\(name)", "artifact '\(name)' is produced by both '\(other)' and '\(p.name)'; rename one so consumers are unambiguous")
                }
                producer[name] = p.name
            }
        }
        let used = Set(order.flatMap { $0.inputs.values.map { "\($0.experiment)#\($0.artifact)" } })
        for p in order.dropLast() {
            for name in p.outputs.keys where !used.contains("\(p.name)#\(name)") {
                warnings.append("warning: output '\(p.name)#\(name)' is declared but no experiment in this graph reads it")
            }
        }
    }

    /// Treatments flow down: a child gets its parents' treatments, its own overriding by name.
    private func inheritTreatments() {
        var byName: [String: Plan] = [:]
        for p in order {
            byName[p.name] = p
            for parent in dependencies[p.name] ?? [] {
                guard let up = byName[parent] else { continue }
                for t in up.conditions.dropFirst() where !p.conditions.contains(where: { $0.name == t.name }) {
                    p.conditions.append(t)
                }
            }
        }
    }

    /// The graph as text: each experiment with what it reads, then the execution order.
    public func describe() -> String {
        var lines = ["dependencies:"]
        for p in order {
            let deps = p.inputs.map { "\($0.key) <- \($0.value.experiment)#\($0.value.artifact)" }
            lines.append("  \(p.name)" + (deps.isEmpty ? " (no upstream)" : ": " + deps.joined(separator: ", ")))
        }
        lines.append("execution order: " + order.map(\.name).joined(separator: " -> "))
        return (lines + warnings).joined(separator: "\n")
    }
}
