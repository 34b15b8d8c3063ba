import Foundation

/// `run --debug`: one replicate of the baseline (or of one treatment), in this process, with
/// every step's input, parameters (and where each came from), output, context writes, metrics
/// and logs printed as they happen. Hypotheses are skipped, the step cache is neither read nor
/// written, and nothing is written under the data folder: artifacts go to a temporary folder
/// that is listed and removed at the end. Upstream experiments are not run; their stored
/// artifacts are read as a run would read them.
public enum DebugRun {
    /// What the debug run did.
    public struct Outcome {
        /// The condition debugged.
        public var condition: String
        /// Whether its replicate finished without a failure.
        public var succeeded: Bool
    }

    /// Debugs `target` under `overrides`; `treatment` nil debugs the baseline. Lines go to
    /// `out` as they happen. Throws for what stops a run before it starts (config, plugins,
    /// missing upstream artifacts), as `run` would exit 2 for.
    public static func run(target: String, overrides: RunOverrides, treatment: String?,
                           out: @escaping (String) -> Void) async throws -> Outcome {
        var o = overrides
        o.noCache = true
        o.treatments = treatment.map { [$0] }
        // Named, a treatment switched off on the run screen runs (the planner's rule); say so.
        if let treatment, treatment != "baseline",
           (try overrides.toggles ?? ToggleState.load(forConfig: try ExperimentConfig.path(for: target))).disabledTreatments.contains(treatment) {
            out("note: treatment '\(treatment)' is switched off on the run screen (\(ToggleState.fileName)); debugging it anyway")
        }
        let graph = try ExperimentGraph(target: target, registry: PluginRegistry(), overrides: o)
        guard let plan = graph.order.last else { throw StoreError("nothing to debug in \(target)") }
        let condition = plan.conditions.first { $0.name == (treatment ?? "baseline") } ?? plan.conditions[0]
        let printer = DebugPrinter(datasource: plan.datasource?.name, condition: condition, out: out)
        printer.print(header(plan, condition: condition, graph: graph))

        try PluginState.start(plan.registry.plugins)
        let inputs = plan.inputs.isEmpty ? nil : try UpstreamInputs(plan: plan, warn: printer.log)
        let scratch = NSTemporaryDirectory() + "crystallize-debug-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bus = RunEventBus()
        bus.subscribe(printer)
        let runner = ReplicateRunner(plan: plan, cache: nil, versionDirectory: scratch, inputs: inputs, events: bus,
                                     tracer: printer, log: printer.log)
        try Lifecycle.setup(plan)
        let outcome = await runner.run(replicate: 0, condition: condition)
        Lifecycle.teardown(plan, log: printer.log)
        printer.print(footer(outcome, scratch: scratch))
        return Outcome(condition: condition.name, succeeded: outcome.failure == nil)
    }

    static func header(_ plan: Plan, condition: Condition, graph: ExperimentGraph) -> String {
        var lines = ["debug: \(plan.name), replicate 0 of \(condition.name) (seed \(plan.seedUsed(replicate: 0))), in this process",
                     "nothing is written under \(relative(plan.dataRoot))/; the step cache is not used"]
        if !condition.additions.isEmpty {
            lines.append("treatment keys: " + condition.additions.map { "\($0.key) = \(DebugValueText.abridged($0.value))" }.joined(separator: ", "))
        }
        let others = plan.conditions.map(\.name).filter { $0 != condition.name }
        if !others.isEmpty { lines.append("not run: \(others.joined(separator: ", ")) (--treatment NAME debugs one of them)") }
        if !plan.hypotheses.isEmpty { lines.append("hypotheses skipped: \(plan.hypotheses.map(\.name).joined(separator: ", "))") }
        let upstream = graph.order.dropLast().map(\.name)
        if !upstream.isEmpty { lines.append("upstream not run, its stored artifacts are read: \(upstream.joined(separator: ", "))") }
        if !plan.settings.isEmpty { lines.append("set: \(plan.settings.map(\.description).joined(separator: ", "))") }
        return lines.joined(separator: "\n")
    }

    static func footer(_ outcome: ConditionOutcome, scratch: String) -> String {
        var lines = [""]
        let artifacts = (FileManager.default.enumerator(atPath: scratch)?.allObjects as? [String] ?? [])
            .filter { $0 != StepLogFile.fileName && !isDirectory("\(scratch)/\($0)") }.sorted()
        if !artifacts.isEmpty {
            lines.append("artifacts written (to a temporary folder, now removed): " + artifacts.joined(separator: ", "))
        }
        let metrics = RecordedMetric.grouped(outcome.metricLog[...])
        if !metrics.isEmpty {
            lines.append("metrics: " + metrics.map { "\($0.key) = \(DebugValueText.abridged(.list($0.value)))" }.joined(separator: ", "))
        }
        if let f = outcome.failure {
            lines.append("replicate 0 of \(outcome.condition) FAILED in step '\(f.step)': \(f.message)")
        } else {
            lines.append("replicate 0 of \(outcome.condition) succeeded (\(outcome.stepCount) steps)")
        }
        return lines.joined(separator: "\n")
    }

    /// `path` relative to the current folder when it lies inside it (as the user typed it).
    static func relative(_ path: String) -> String {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let p = URL(fileURLWithPath: path).standardizedFileURL.path
        return p.hasPrefix(cwd + "/") ? String(p.dropFirst(cwd.count + 1)) : p
    }

    private static func isDirectory(_ path: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
    }
}
