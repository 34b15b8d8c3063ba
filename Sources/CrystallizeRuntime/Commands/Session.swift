import Foundation
import OrderedCollections

/// Runs an experiment and, first, every upstream experiment it reads from.
public enum Session {
    /// Runs the graph of `target` in order; returns each experiment's result, target last.
    /// Under resume an upstream that is complete, unchanged and still has its artifacts is
    /// loaded instead of run; one that runs again makes every consumer of it run again.
    /// `detach` submits the target and returns (`run --detach`), or follows (`attach`) or
    /// cancels (`cancel`) a version submitted earlier.
    /// Every experiment folder of the graph is locked for the session (`RunLock`): a second
    /// run into one of them is refused with `RunLock.Busy`, or waits when `waitForLock` is set.
    public static func run(target: String, overrides: RunOverrides, strategy: RunStrategy, showProgress: Bool,
                           cancel: CancellationFlag, events: RunEventBus = RunEventBus(), waitForLock: Bool = false,
                           detach: DetachAction? = nil,
                           log: @escaping (String) -> Void) async throws -> [RunResult] {
        let registry = PluginRegistry()
        let graph = try ExperimentGraph(target: target, registry: registry, overrides: overrides)
        graph.warnings.forEach(log)
        let locks = try lockFolders(of: graph.order, wait: waitForLock, log: log)
        defer { withExtendedLifetime(locks) {} }
        // Only attach and cancel (which name the version) may act on a detached run's folder,
        // and only the target's: its upstreams run here as ordinary runs.
        try DetachedRunPending.check(detach?.version == nil ? graph.order : Array(graph.order.dropLast()))
        var results: [RunResult] = []
        var rerun = Set<String>()
        for plan in graph.order {
            if cancel.isCancelled { break }
            let isTarget = plan === graph.order.last
            var options = RunOptions()
            options.cancel = cancel
            options.showProgress = showProgress
            options.log = log
            options.events = events
            options.target = plan.configPath
            // Detaching, attaching and cancelling concern the target; its upstreams run here.
            if isTarget, let detach { options.loopMode = detach.loopMode; options.attachVersion = detach.version }
            var o = isTarget ? overrides : ExperimentGraph.upstreamOverrides(overrides)
            o.pluginPaths = registry.plugins.map(\.realPath)
            o.toggles = plan.toggles
            options.overrides = o
            let deps = graph.dependencies[plan.name] ?? []
            if !plan.inputs.isEmpty {
                let inputs = try UpstreamInputs(plan: plan, warn: log)
                options.inputs = inputs
                options.upstream = inputs.identity
            }
            // The run ids recorded in metadata already tell resume that an upstream ran again;
            // this makes it certain within a session and names the reason.
            let forcedBy = deps.filter(rerun.contains)
            options.strategy = forcedBy.isEmpty ? strategy : .rerun
            let ranBefore = !RunStore(dataRoot: plan.dataRoot, experiment: plan.name).versions().isEmpty
            var r = try await ExperimentRunner.run(plan, options: options)
            r.toggles = plan.toggles
            r.settings = plan.settings.map(\.description)
            if !forcedBy.isEmpty, strategy == .resume, r.rerunReason == nil {
                r.rerunReason = ranBefore ? "upstream experiment \(forcedBy.map { "'\($0)'" }.joined(separator: ", ")) ran again in this session" : "no earlier run"
            }
            if !r.loadedFromDisk {
                rerun.insert(plan.name)
                warnUnwrittenOutputs(plan, result: r, log: log)
            }
            results.append(r)
            if !r.succeeded && !isTarget {
                log("error: upstream experiment '\(plan.name)' did not complete (\(r.versionDirectory)); its consumers are not run")
                break
            }
        }
        return results
    }

    /// Locks each experiment folder of `plans`, in path order so two waiting sessions sharing
    /// folders never hold one each and wait for the other.
    static func lockFolders(of plans: [Plan], wait: Bool, log: (String) -> Void) throws -> [RunLock] {
        let folders = Set(plans.map { RunStore(dataRoot: $0.dataRoot, experiment: $0.name).experimentDirectory }).sorted()
        return try folders.map { try RunLock.acquire($0, wait: wait, note: log) }
    }

    /// crystallize-ml refuses outputs that no step writes; here steps write outputs at run time,
    /// so a declared output with no file after a full run gets a warning naming the config.
    static func warnUnwrittenOutputs(_ plan: Plan, result: RunResult, log: (String) -> Void) {
        guard result.succeeded else { return }
        for (name, spec) in plan.outputs where ArtifactCensus.count(versionDirectory: result.versionDirectory, fileName: spec.fileName) == 0 {
            log("warning: \(plan.configPath): outputs.\(name): no step wrote output '\(name)' (\(spec.fileName)); call write_output(\"\(name)\", value) in a step, or remove it")
        }
    }
}
