import Foundation
import OrderedCollections

/// A consumer experiment and every upstream producer it reads (`producer#artifact`),
/// found recursively under the experiments root and ordered so producers run first.
///
/// Building the graph is the one way from config.yaml to plans: each config is read
/// (`ExperimentConfig`, no plugin opened), its plugins are loaded
/// (`PluginRegistry.load(for:pluginPaths:)`) and its names resolved into a draft (`Planner`);
/// the graph names each input's producer, passes treatments down and applies `--treatment`;
/// then every draft is validated and frozen into a `Plan`.
public final class ExperimentGraph {
    /// Plans in execution order; the target is last.
    public let order: [Plan]
    /// Experiment name to the names it reads from, in datasource order.
    public let dependencies: OrderedDictionary<String, [String]>
    /// Experiment name to the treatments it inherited from its upstreams.
    public let inherited: [String: [String]]
    /// Warnings found while loading (outputs nobody in the graph reads).
    public let warnings: [String]
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
        // The target is planned with its `--treatment` names (a treatment switched off on the
        // run screen still runs when named); the filter itself applies after inheritance.
        let targetOverrides = overrides
        let targetConfig = try ExperimentConfig.read(target: target)
        experimentsRoot = ExperimentGraph.experimentsRoot(for: targetConfig.directory)
        var drafts = try GraphDrafts(target: targetConfig, registry: registry, overrides: targetOverrides,
                                     upstreamOverrides: ExperimentGraph.upstreamOverrides(overrides), experimentsRoot: experimentsRoot)
        dependencies = drafts.dependencies
        try ExperimentGraph.checkReplicates(drafts.ordered, dependencies: dependencies)
        warnings = ExperimentGraph.unreadOutputs(drafts.ordered)
        inherited = drafts.inheritTreatments()
        try drafts.filterTarget(overrides.treatments)
        order = try drafts.ordered.map { try Plan($0) }
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
    static func checkReplicates(_ order: [PlanDraft], dependencies: OrderedDictionary<String, [String]>) throws {
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
    static func unreadOutputs(_ order: [PlanDraft]) -> [String] {
        let read = Set(order.flatMap { $0.inputs.values.map { "\($0.experiment)#\($0.artifact)" } })
        var warnings: [String] = []
        for p in order.dropLast() {
            for name in p.outputs.keys where !read.contains("\(p.name)#\(name)") {
                warnings.append("warning: \(p.configPath): outputs.\(name): output '\(p.name)#\(name)' is declared but no experiment in this graph reads it")
            }
        }
        return warnings
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
