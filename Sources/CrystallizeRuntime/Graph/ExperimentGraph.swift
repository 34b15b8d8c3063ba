import Foundation
import OrderedCollections

/// A consumer experiment and every upstream producer it reads (`producer#artifact`),
/// found recursively under the experiments root and ordered so producers run first.
public final class ExperimentGraph {
    /// Plans in execution order; the target is last.
    public private(set) var order: [Plan] = []
    /// Experiment name to the names it reads from, in datasource order.
    public private(set) var dependencies: OrderedDictionary<String, [String]> = [:]
    /// Experiment name to the treatments it inherited from its upstreams.
    public private(set) var inherited: [String: [String]] = [:]
    /// Warnings found while loading (outputs nobody in the graph reads).
    public private(set) var warnings: [String] = []
    /// The folder upstream references are looked up in.
    public let experimentsRoot: String

    /// The target's plan as it runs inside its graph (inherited treatments, resolved inputs):
    /// what a worker process must rebuild to run the same conditions as its parent.
    public static func resolvedPlan(target: String, registry: PluginRegistry, overrides: RunOverrides) throws -> Plan {
        try ExperimentGraph(target: target, registry: registry, overrides: overrides).order.last!
    }

    /// Loads `target` and its upstreams. Overrides other than plugins, data root, execution
    /// and cache apply to the target only; `--treatment` filters the target's treatments
    /// after inheritance, so an inherited treatment can be chosen too.
    public init(target: String, registry: PluginRegistry, overrides: RunOverrides) throws {
        var targetOverrides = overrides
        targetOverrides.treatments = nil
        let targetPlan = try Planner.plan(target: target, registry: registry, overrides: targetOverrides)
        let upstreamOverrides = ExperimentGraph.upstreamOverrides(overrides)
        experimentsRoot = ExperimentGraph.experimentsRoot(for: targetPlan.directory)
        // Scanning the experiments root parses every config in it: only a consumer pays for it.
        var finderCache: ExperimentFinder? = nil
        let root = experimentsRoot
        func finder() -> ExperimentFinder {
            if let f = finderCache { return f }
            let f = ExperimentFinder(root: root)
            finderCache = f
            return f
        }

        var plans: [String: Plan] = [targetPlan.name: targetPlan]
        var state: [String: Int] = [:]  // 1 = visiting, 2 = done
        var ordered: [Plan] = []
        func visit(_ plan: Plan, path: [String]) throws {
            if state[plan.name] == 2 { return }
            if state[plan.name] == 1 {
                throw ConfigError(file: plan.configPath, line: nil, path: "datasource",
                                  "dependency cycle: \((path + [plan.name]).joined(separator: " -> ")); an experiment may not read its own outputs, directly or through others")
            }
            state[plan.name] = 1
            var deps: [String] = []
            for (key, input) in plan.inputs {
                let up: Plan
                if let p = plans[input.experiment] { up = p } else {
                    let cfg = try finder().configPath(for: input.experiment, readBy: plan, key: key)
                    if let p = plans.values.first(where: { $0.configPath == cfg }) { up = p } else {
                        up = try Planner.plan(target: cfg, registry: registry, overrides: upstreamOverrides)
                        if let other = plans[up.name], other.configPath != up.configPath {
                            throw ExperimentFinder.sameName(up.name, [other.configPath, up.configPath])
                        }
                        plans[up.name] = up
                    }
                }
                guard up.outputs[input.artifact] != nil else {
                    throw ConfigError(file: plan.configPath, line: nil, path: "datasource.\(key)",
                                      "experiment '\(up.name)' (\(up.configPath)) declares no output '\(input.artifact)'; its outputs: \(up.outputs.keys.isEmpty ? "none" : up.outputs.keys.joined(separator: ", "))")
                }
                // A reference by folder name reads the data folder of the producer's own name.
                plan.inputs[key] = ArtifactInput(experiment: up.name, artifact: input.artifact)
                if !deps.contains(up.name) { deps.append(up.name) }
                try visit(up, path: path + [plan.name])
            }
            dependencies[plan.name] = deps
            state[plan.name] = 2
            ordered.append(plan)
        }
        try visit(targetPlan, path: [])
        order = ordered
        try checkReplicates()
        findUnreadOutputs()
        inheritTreatments()
        try applyTreatmentFilter(overrides.treatments, to: targetPlan)
    }

    /// The overrides an upstream runs with: where and how to run, never what to run.
    static func upstreamOverrides(_ overrides: RunOverrides) -> RunOverrides {
        var o = RunOverrides()
        o.dataRoot = overrides.dataRoot
        o.execution = overrides.execution
        o.workers = overrides.workers
        o.noCache = overrides.noCache
        o.pluginPaths = overrides.pluginPaths
        return o
    }

    /// The experiments root, as crystallize-ml finds it: the nearest folder (the experiment's
    /// own first) that is named `experiments` or contains one; else the experiment's parent.
    static func experimentsRoot(for dir: String) -> String {
        var url = URL(fileURLWithPath: dir).standardizedFileURL
        while true {
            if url.lastPathComponent == "experiments" { return url.path }
            var isDir: ObjCBool = false
            let inner = url.appendingPathComponent("experiments").path
            if FileManager.default.fileExists(atPath: inner, isDirectory: &isDir), isDir.boolValue { return inner }
            if url.path == "/" { break }
            url.deleteLastPathComponent()
        }
        return (dir as NSString).deletingLastPathComponent
    }

    /// Consumer replicate i reads producer replicate i mod n: with two producers of different
    /// n there is no single rule, so crystallize-ml refuses it, and so do we, before running.
    private func checkReplicates() throws {
        let byName = Dictionary(order.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for p in order {
            let producers = (dependencies[p.name] ?? []).compactMap { byName[$0] }
            guard Set(producers.map(\.replicates)).count > 1 else { continue }
            throw ConfigError(file: p.configPath, line: nil, path: "datasource",
                              "conflicting replicates across upstream artifacts: " +
                              producers.map { "\($0.name)=\($0.replicates) (\($0.configPath))" }.joined(separator: ", ") +
                              "; give the producers the same replicate count")
        }
    }

    /// crystallize-ml refuses outputs no step uses; which step writes an output is only known at
    /// run time here, so the graph warns about outputs no consumer in it reads.
    private func findUnreadOutputs() {
        let read = Set(order.flatMap { $0.inputs.values.map { "\($0.experiment)#\($0.artifact)" } })
        for p in order.dropLast() {
            for name in p.outputs.keys where !read.contains("\(p.name)#\(name)") {
                warnings.append("warning: \(p.configPath): outputs.\(name): output '\(p.name)#\(name)' is declared but no experiment in this graph reads it")
            }
        }
    }

    /// Treatments flow down, as in crystallize-ml: a child runs its parents' treatments first
    /// (so it reads their condition folders), then its own; its own win by name, in place.
    /// A parent's baseline additions reach a child that sets none of its own.
    private func inheritTreatments() {
        var byName: [String: Plan] = [:]
        for p in order {
            byName[p.name] = p
            var merged = OrderedDictionary<String, Condition>()
            var baselineAdditions = OrderedDictionary<String, Value>()
            for parent in dependencies[p.name] ?? [] {
                guard let up = byName[parent] else { continue }
                for (k, v) in up.conditions[0].additions { baselineAdditions[k] = v }
                for t in up.conditions.dropFirst() { merged[t.name] = t }
            }
            let from = Set(merged.keys)
            for t in p.conditions.dropFirst() { merged[t.name] = t }
            let own = Set(p.conditions.dropFirst().map(\.name))
            inherited[p.name] = merged.keys.filter { from.contains($0) && !own.contains($0) }
            var baseline = p.conditions[0]
            if baseline.additions.isEmpty { baseline.additions = baselineAdditions }
            p.conditions = [baseline] + merged.values
        }
    }

    /// `--treatment` on the target: a filter applied after inheritance.
    private func applyTreatmentFilter(_ active: [String]?, to plan: Plan) throws {
        guard let active else { return }
        let defined = plan.conditions.dropFirst().map(\.name)
        for a in active where a != "baseline" && !defined.contains(a) {
            throw ConfigError(file: plan.configPath, line: nil, path: "treatments",
                              "--treatment '\(a)' is not defined; defined (own and inherited): \(defined.isEmpty ? "none" : defined.joined(separator: ", "))")
        }
        plan.conditions = [plan.conditions[0]] + plan.conditions.dropFirst().filter { active.contains($0.name) }
    }

    /// The graph as text: edges, execution order (crystallize-ml's visualize_from_yaml), then
    /// what each experiment reads and the treatments it runs, then warnings.
    public func describe() -> String {
        var lines = ["Dependencies:"]
        var edges = 0
        for p in order {
            for d in dependencies[p.name] ?? [] {
                let via = p.inputs.filter { $0.value.experiment == d }.map { "\($0.key) <- \(d)#\($0.value.artifact)" }
                lines.append("  \(d) -> \(p.name) (\(via.joined(separator: ", ")))")
                edges += 1
            }
        }
        if edges == 0 { lines.append("  none: \(order.last?.name ?? "?") reads no upstream artifacts") }
        lines.append("Execution order: " + order.map(\.name).joined(separator: " -> "))
        lines.append("Experiments:")
        for p in order {
            let from = Set(inherited[p.name] ?? [])
            let treatments = p.conditions.map { from.contains($0.name) ? "\($0.name) (inherited)" : $0.name }
            lines.append("  \(p.name): \(p.replicates) replicate(s); conditions: \(treatments.joined(separator: ", ")); config: \(p.configPath)")
        }
        return (lines + warnings).joined(separator: "\n")
    }
}
