import Foundation
import OrderedCollections

/// Runs an experiment and, first, every upstream experiment it reads from.
public enum Session {
    /// Runs the graph of `target` in order; returns each experiment's result, target last.
    public static func run(target: String, overrides: RunOverrides, strategy: RunStrategy, showProgress: Bool,
                           cancel: CancellationFlag, log: @escaping (String) -> Void) async throws -> [RunResult] {
        let registry = PluginRegistry()
        let graph = try ExperimentGraph(target: target, registry: registry, overrides: overrides)
        graph.warnings.forEach(log)
        var results: [RunResult] = []
        var rerun = Set<String>()
        for plan in graph.order {
            if cancel.isCancelled { break }
            var options = RunOptions()
            options.cancel = cancel
            options.showProgress = showProgress
            options.log = log
            options.target = plan.configPath
            var o = plan === graph.order.last ? overrides : RunOverrides()
            if plan !== graph.order.last {
                o.dataRoot = overrides.dataRoot; o.execution = overrides.execution; o.workers = overrides.workers; o.noCache = overrides.noCache
            }
            o.pluginPaths = registry.plugins.map(\.realPath)
            options.overrides = o
            let deps = graph.dependencies[plan.name] ?? []
            options.upstream = try upstreamIdentity(plan: plan, deps: deps)
            // An upstream that re-ran in this session forces its consumers to re-run.
            options.strategy = deps.contains(where: rerun.contains) ? .rerun : strategy
            if !plan.inputs.isEmpty { options.inputs = try UpstreamInputs(plan: plan, warn: log) }
            let r = try await ExperimentRunner.run(plan, options: options)
            if !r.loadedFromDisk { rerun.insert(plan.name) }
            results.append(r)
            if !r.succeeded && plan !== graph.order.last {
                log("error: upstream experiment '\(plan.name)' did not complete; its consumers are not run")
                break
            }
        }
        return results
    }

    /// What a consumer records about its producers: version and start stamp of the run read.
    static func upstreamIdentity(plan: Plan, deps: [String]) throws -> OrderedDictionary<String, Value> {
        var out = OrderedDictionary<String, Value>()
        for d in deps {
            let store = RunStore(dataRoot: plan.dataRoot, experiment: d)
            guard let v = store.versions().last, let meta = try store.readMetadata(v) else { continue }
            out[d] = .map(["version": .int(Int64(v)), "started": meta["started"] ?? .null, "pipeline_signature": meta["pipeline_signature"] ?? .null])
        }
        return out
    }
}
