import Foundation
import OrderedCollections

/// Runs an experiment's `optimize:` search. It sits above the normal run path: every batch
/// the optimizer asks for is one ordinary run (through `Session`, so upstreams, execution
/// strategies, checkpoints and the cache all apply) of the baseline and the batch's trial
/// treatments, written to `vN/trials/round_<k>/`. A candidate asked for again with more
/// replicates runs only the replicates it lacks (the round's replicates are numbered from
/// where its last one ended, `RunOverrides.firstReplicate`, so steps see and seeds follow
/// the replicate indices of one long run). After each round the
/// trial history goes to `vN/optimization.json`; resume replays the optimizer (it is
/// deterministic) and every round already on disk is loaded instead of run.
public enum OptimizationRunner {
    /// Whether `target`'s config has an `optimize:` section.
    public static func isOptimization(target: String) -> Bool {
        guard let config = try? ExperimentConfig.read(target: target), let node = config.fields["optimize"] else { return false }
        return !node.isNull
    }

    /// Runs the optimization of `target`.
    public static func run(target: String, overrides: RunOverrides, strategy: RunStrategy, showProgress: Bool,
                           cancel: CancellationFlag, events: RunEventBus = RunEventBus(), waitForLock: Bool = false,
                           log: @escaping (String) -> Void) async throws -> OptimizationResult {
        let started = Date()
        let plan = try ExperimentGraph.resolvedPlan(target: target, registry: PluginRegistry(), overrides: overrides)
        guard let spec = plan.optimize else { throw ConfigError(file: plan.configPath, line: nil, path: "optimize", "no optimize: section") }
        if plan.conditions.count > 1 {
            log("note: \(plan.configPath): an optimization runs its trials against the baseline; the \(plan.conditions.count - 1) written or swept treatment(s) are not run")
        }
        let store = RunStore(dataRoot: plan.dataRoot, experiment: plan.name)
        // One search per experiment folder for its whole length (each trial run locks its own).
        let lock = try RunLock.acquire(store.experimentDirectory, wait: waitForLock, note: log)
        defer { withExtendedLifetime(lock) {} }
        try DetachedRunPending.check([plan])
        var record = OptimizationRecord(plan: plan, spec: spec)
        let version: Int
        if strategy == .resume, let v = store.versions().last, let earlier = OptimizationRecord.load(store.versionDirectory(v)), earlier.matches(record) {
            version = v
            record.started = earlier.started
            log("resuming the optimization in \(store.versionDirectory(v)) (\(earlier.history.count) trial evaluation(s) recorded)")
        } else {
            if strategy == .resume {
                let last = store.versions().last
                let earlier = last.flatMap { OptimizationRecord.load(store.versionDirectory($0)) }
                log("resume: starting the optimization afresh: " + (earlier == nil ? "no earlier optimization" : "its settings, pipeline or baseline differ from v\(last!)'s"))
            }
            version = try RunPreparation.prepareFreshVersion(plan, store: store)
        }
        let vdir = store.versionDirectory(version)
        record.version = version
        try record.save(vdir, status: "running")

        let optimizer = try Optimizers.make(spec)
        var ledger = TrialLedger()
        var round = 0
        var status = "complete"
        outer: while !cancel.isCancelled {
            let batch = try optimizer.ask()
            if batch.isEmpty { break }
            var reports: [TrialReport] = []
            // One trial run per replicate range: candidates that lack the same replicates.
            let groups = OrderedDictionary(grouping: batch) { [ledger.replicates(of: $0.name), $0.replicates] }
            for (range, requests) in groups {
                let (from, to) = (range[0], range[1])
                guard to > from else {
                    reports += requests.map { report($0, ledger: ledger, plan: plan, spec: spec, round: round, log: log) }
                    continue
                }
                var o = overrides
                o.replicates = to - from
                o.firstReplicate = from
                o.treatments = nil
                o.trialTreatments = requests.map { TrialTreatment(name: $0.name, additions: $0.params) }
                o.targetDataRoot = "\(vdir)/trials/\(OptimizationRecord.roundFolder(round))"
                let results = try await Session.run(target: target, overrides: o, strategy: strategy == .rerun && round == 0 ? .rerun : .resume,
                                                    showProgress: showProgress, cancel: cancel, events: events, log: log)
                guard let result = results.last, result.experiment == plan.name else { status = "failed"; break outer }
                if result.cancelled { status = "cancelled"; break outer }
                record.failures += result.failures.count
                let numeric = RunAggregation.numeric(result.metrics)
                ledger.record("baseline", from: from, to: to, metrics: numeric["baseline"] ?? [:])
                for r in requests { ledger.record(r.name, from: from, to: to, metrics: numeric[r.name] ?? [:]) }
                try checkObjective(spec, plan: plan, numeric: numeric)
                record.rounds.append(.map(["round": .int(Int64(round)), "folder": .string("trials/\(OptimizationRecord.roundFolder(round))/\(plan.name)/v\(result.version)"),
                                           "replicates": .list([.int(Int64(from)), .int(Int64(to))]), "trials": .list(requests.map { .string($0.name) }),
                                           "loaded_from_disk": .bool(result.loadedFromDisk)]))
                record.treatmentReplicates += (to - from) * requests.count
                record.baselineReplicates += to - from
                let rs = requests.map { report($0, ledger: ledger, plan: plan, spec: spec, round: round, log: log) }
                reports += rs
                record.history += rs
                log(progressLine(round: round, from: from, to: to, reports: rs, spec: spec, best: Optimizers.defaultBest(record.history, direction: spec.direction)))
                round += 1
                try record.save(vdir, status: "running")
            }
            try optimizer.tell(reports)
        }
        if cancel.isCancelled { status = "cancelled" }
        let bestCandidate = optimizer.best(record.history, direction: spec.direction)
        record.best = bestCandidate.flatMap { c in record.history.last { $0.request.candidate == c } } ?? Optimizers.defaultBest(record.history, direction: spec.direction)
        if status == "complete" && record.failures > 0 { status = "complete_with_failures" }
        try record.save(vdir, status: status)
        return OptimizationResult(record: record, versionDirectory: vdir, status: status, elapsed: Date().timeIntervalSince(started))
    }

    /// The candidate's report over every replicate it has, hypotheses against the baseline on
    /// the same replicates.
    static func report(_ r: TrialRequest, ledger: TrialLedger, plan: Plan, spec: OptimizeSpec, round: Int, log: @escaping (String) -> Void) -> TrialReport {
        let mine = ledger.metrics(of: r.name, upTo: r.replicates)
        let values = mine[spec.metric] ?? []
        let (mean, se) = TrialLedger.moments(values)
        var hypotheses = OrderedDictionary<String, Value>()
        if !plan.hypotheses.isEmpty {
            // Both sides hold replicates 0..<r.replicates in order, so paired verifiers can pair them.
            let metrics: OrderedDictionary<String, ConditionMetrics> = [
                "baseline": ConditionMetrics(pooled: ledger.metrics(of: "baseline", upTo: r.replicates), replicateCount: r.replicates),
                r.name: ConditionMetrics(pooled: mine, replicateCount: r.replicates)]
            for h in HypothesisEvaluator.evaluate(plan.hypotheses, metrics: metrics, treatments: [r.name], seed: plan.seed, warn: log) {
                if let groups = h.results[r.name] { hypotheses[h.name] = groups.count == 1 ? .map(groups[0]) : .list(groups.map { .map($0) }) }
            }
        }
        return TrialReport(request: r, mean: mean, standardError: se, values: values, hypotheses: hypotheses, round: round)
    }

    /// A metric no condition recorded is a config mistake: stop with the names that exist.
    static func checkObjective(_ spec: OptimizeSpec, plan: Plan, numeric: OrderedDictionary<String, OrderedDictionary<String, [Double]>>) throws {
        let recorded = Set(numeric.values.flatMap(\.keys))
        guard !recorded.contains(spec.metric), !recorded.isEmpty else { return }
        throw ConfigError(file: plan.configPath, line: nil, path: "optimize.objective.metric",
                          "metric '\(spec.metric)' is not recorded by any step; recorded: \(recorded.sorted().joined(separator: ", "))")
    }

    static func progressLine(round: Int, from: Int, to: Int, reports: [TrialReport], spec: OptimizeSpec, best: TrialReport?) -> String {
        let b = best.map { " — best so far \($0.request.name) \(spec.metric)=\(Summary.fmt($0.mean ?? .nan))" } ?? ""
        return "optimize round \(round): \(reports.count) trial(s), replicates \(from)..<\(to)\(b)"
    }
}
