import Foundation
import OrderedCollections

/// The drafts of a graph while it is assembled: the target's and, found from its inputs, every
/// upstream's, in dependency order. The only stage after the planner that edits drafts: it
/// names each input's producer, passes treatments down and applies `--treatment`.
struct GraphDrafts {
    /// Drafts in execution order; the target is last.
    private(set) var ordered: [PlanDraft] = []
    /// Experiment name to the names it reads from, in datasource order.
    private(set) var dependencies: OrderedDictionary<String, [String]> = [:]

    /// Reads and drafts `target` and, recursively, every producer its inputs name (found under
    /// `experimentsRoot`); refuses cycles and two configs of one name.
    init(target: ExperimentConfig, registry: PluginRegistry, overrides: RunOverrides, upstreamOverrides: RunOverrides,
         experimentsRoot: String) throws {
        func draft(_ config: ExperimentConfig, _ o: RunOverrides) throws -> PlanDraft {
            try registry.load(for: config, pluginPaths: o.pluginPaths)
            return try Planner.draft(config, registry: registry, overrides: o)
        }
        // Scanning the experiments root parses every config in it: only a consumer pays for it.
        var finderCache: ExperimentFinder? = nil
        func finder() -> ExperimentFinder {
            if let f = finderCache { return f }
            let f = ExperimentFinder(root: experimentsRoot)
            finderCache = f
            return f
        }
        let first = try draft(target, overrides)
        var drafts: [String: PlanDraft] = [first.name: first]
        var state: [String: Int] = [:]  // 1 = visiting, 2 = done
        var ordered: [String] = []
        var dependencies: OrderedDictionary<String, [String]> = [:]
        func visit(_ name: String, path: [String]) throws {
            if state[name] == 2 { return }
            let plan = drafts[name]!
            if state[name] == 1 {
                throw ConfigError(file: plan.configPath, line: nil, path: "datasource",
                                  "dependency cycle: \((path + [name]).joined(separator: " -> ")); an experiment may not read its own outputs, directly or through others")
            }
            state[name] = 1
            var deps: [String] = []
            for (key, input) in plan.inputs {
                let up: PlanDraft
                if let p = drafts[input.experiment] { up = p } else {
                    let cfg = try finder().configPath(for: input.experiment, readBy: plan.configPath, key: key)
                    if let p = drafts.values.first(where: { $0.configPath == cfg }) { up = p } else {
                        up = try draft(try ExperimentConfig.read(target: cfg), upstreamOverrides)
                        if let other = drafts[up.name], other.configPath != up.configPath {
                            throw ExperimentFinder.sameName(up.name, [other.configPath, up.configPath])
                        }
                        drafts[up.name] = up
                    }
                }
                guard up.outputs[input.artifact] != nil else {
                    throw ConfigError(file: plan.configPath, line: nil, path: "datasource.\(key)",
                                      "experiment '\(up.name)' (\(up.configPath)) declares no output '\(input.artifact)'; its outputs: \(up.outputs.keys.isEmpty ? "none" : up.outputs.keys.joined(separator: ", "))")
                }
                // A reference by folder name reads the data folder of the producer's own name.
                drafts[name]!.inputs[key] = ArtifactInput(experiment: up.name, artifact: input.artifact)
                if !deps.contains(up.name) { deps.append(up.name) }
                try visit(up.name, path: path + [name])
            }
            dependencies[name] = deps
            state[name] = 2
            ordered.append(name)
        }
        try visit(first.name, path: [])
        self.ordered = ordered.map { drafts[$0]! }
        self.dependencies = dependencies
    }

    /// Treatments flow down, as in crystallize-ml: a child runs its parents' treatments first
    /// (so it reads their condition folders), then its own; its own win by name, in place.
    /// A parent's baseline additions reach a child that sets none of its own. An inherited
    /// treatment's values are checked against the child's steps too. Returns, per experiment,
    /// the names it inherited.
    mutating func inheritTreatments() -> [String: [String]] {
        var inherited: [String: [String]] = [:]
        var byName: [String: PlanDraft] = [:]
        for i in ordered.indices {
            let p = ordered[i]
            var merged = OrderedDictionary<String, Condition>()
            var sources: [String: [TreatmentValue]] = [:]
            var baselineAdditions = OrderedDictionary<String, Value>()
            for parent in dependencies[p.name] ?? [] {
                guard let up = byName[parent] else { continue }
                for (k, v) in up.conditions[0].additions { baselineAdditions[k] = v }
                for t in up.conditions.dropFirst() {
                    merged[t.name] = t
                    sources[t.name] = up.treatmentValues.filter { $0.treatment == t.name }.map { var v = $0; v.inherited = true; return v }
                }
            }
            let from = Set(merged.keys)
            for t in p.conditions.dropFirst() { merged[t.name] = t }
            let own = Set(p.conditions.dropFirst().map(\.name))
            let names = Array(merged.keys.filter { from.contains($0) && !own.contains($0) })
            inherited[p.name] = names
            var baseline = p.conditions[0]
            if baseline.additions.isEmpty { baseline.additions = baselineAdditions }
            ordered[i].conditions = [baseline] + merged.values
            ordered[i].treatmentValues += names.flatMap { sources[$0] ?? [] }
            byName[p.name] = ordered[i]
        }
        return inherited
    }

    /// `--treatment` on the target: the one filter, applied after inheritance.
    mutating func filterTarget(_ active: [String]?) throws {
        guard let active, let last = ordered.indices.last else { return }
        let plan = ordered[last]
        let defined = plan.conditions.dropFirst().map(\.name)
        for a in active where a != "baseline" && !defined.contains(a) {
            throw ConfigError(file: plan.configPath, line: nil, path: "treatments",
                              "--treatment '\(a)' is not defined; defined (own and inherited): \(defined.isEmpty ? "none" : defined.joined(separator: ", "))")
        }
        ordered[last].conditions = [plan.conditions[0]] + plan.conditions.dropFirst().filter { active.contains($0.name) }
    }
}
