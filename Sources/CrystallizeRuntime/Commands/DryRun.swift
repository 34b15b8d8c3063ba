import Foundation

/// `run --dry-run`: what a run would do — each experiment in order with its replicates and
/// every condition it runs (written, inherited and generated treatments with their values) —
/// without running or writing anything.
public enum DryRun {
    /// The plan of `target` and its upstreams as text.
    public static func describe(target: String, overrides: RunOverrides) throws -> String {
        let graph = try ExperimentGraph(target: target, registry: PluginRegistry(), overrides: overrides)
        var lines: [String] = []
        for plan in graph.order {
            let from = Set(graph.inherited[plan.name] ?? [])
            lines.append("\(plan.name): \(plan.replicates) replicate(s), seed \(plan.seed), execution \(plan.execution.strategy); \(plan.conditions.count) condition(s); config: \(plan.configPath)")
            for c in plan.conditions {
                let values = c.additions.isEmpty ? "" : "  " + c.additions.map { "\($0.key)=\(TreatmentName.text($0.value, digits: nil))" }.joined(separator: " ")
                lines.append("  \(c.name)\(from.contains(c.name) ? " (inherited)" : "")\(values)")
            }
        }
        if let target = graph.order.last, let text = OptimizeSpec.describe(plan: target) { lines.append(text) }
        lines.append("dry run: nothing was run or written")
        return lines.joined(separator: "\n")
    }
}
