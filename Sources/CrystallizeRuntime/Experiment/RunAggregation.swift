import Foundation
import OrderedCollections

/// The third stage of a run: per condition, the collected metric logs in replicate order
/// become `vN/<condition>/results.json` (and its completion marker), then `_manifest.json`.
enum RunAggregation {
    /// What the run's outcomes add up to.
    struct Aggregated {
        /// Condition to metric to values over replicates.
        let metrics: OrderedDictionary<String, OrderedDictionary<String, [Value]>>
        /// Replicate by replicate, for paired verifiers; empty when there are no hypotheses.
        let byReplicate: OrderedDictionary<String, ConditionMetrics>
        /// The failed (replicate, condition) outcomes, condition by condition.
        let failures: [ConditionOutcome]
        /// Whether every (replicate, condition) succeeded.
        let allComplete: Bool
    }

    /// Aggregates `run` and writes its results files.
    static func aggregate(_ run: PreparedRun) throws -> Aggregated {
        let plan = run.plan
        var metrics = OrderedDictionary<String, OrderedDictionary<String, [Value]>>()
        var byReplicate = OrderedDictionary<String, ConditionMetrics>()
        let keepReplicates = !plan.hypotheses.isEmpty
        var failures: [ConditionOutcome] = []
        var allComplete = true
        for c in plan.conditions {
            var m = OrderedDictionary<String, [Value]>()
            var replicates = [OrderedDictionary<String, [Double]>?](repeating: nil, count: keepReplicates ? plan.replicates : 0)
            var errors: [ConditionOutcome] = []
            var complete = true
            let column = run.collector.results(of: c.name)
            for r in 0..<plan.replicates {
                guard r < column.logs.count, let log = column.logs[column.logs.startIndex + r] else { complete = false; continue }
                if let failure = column.failed[r] { errors.append(failure); complete = false; continue }
                append(log, to: &m)
                if keepReplicates { replicates[r] = numericByName(log) }
            }
            metrics[c.name] = m
            if keepReplicates { byReplicate[c.name] = ConditionMetrics(replicates: replicates) }
            failures += errors
            allComplete = allComplete && complete
            try ResultsWriteFailure.guarding(run.journal, plan: plan, path: "\(run.versionDirectory)/\(c.name)/results.json") {
                try run.store.writeResults(run.version, c.name, metrics: m, errors: errors, complete: complete)
            }
        }
        try ResultsWriteFailure.guarding(run.journal, plan: plan, path: run.versionDirectory) { try run.store.writeManifest(run.version) }
        return Aggregated(metrics: metrics, byReplicate: byReplicate, failures: failures, allComplete: allComplete)
    }

    /// Appends one outcome's metric values to the condition's lists. Outcomes record the same
    /// metrics in the same order, so the list at the value's position is tried before a lookup.
    static func append(_ log: [RecordedMetric], to m: inout OrderedDictionary<String, [Value]>) {
        for (i, v) in log.enumerated() {
            if i < m.count, m.keys[i] == v.name { m.values[i].append(v.value) } else { m[v.name, default: []].append(v.value) }
        }
    }

    /// Numeric metric values by condition, pooled over replicates.
    static func numeric(_ m: OrderedDictionary<String, OrderedDictionary<String, [Value]>>) -> OrderedDictionary<String, OrderedDictionary<String, [Double]>> {
        m.mapValues { $0.mapValues { $0.compactMap(\.asDouble) } }
    }

    /// One outcome's numeric metric values by name, in recording order.
    static func numericByName(_ log: [RecordedMetric]) -> OrderedDictionary<String, [Double]> {
        var out = OrderedDictionary<String, [Double]>()
        for v in log { if let d = v.value.asDouble { out[v.name, default: []].append(d) } }
        return out
    }

    /// A stored complete run's metrics, split back into replicates for the verifiers.
    static func fromStored(_ m: OrderedDictionary<String, OrderedDictionary<String, [Value]>>, replicates: Int) -> OrderedDictionary<String, ConditionMetrics> {
        m.mapValues { ConditionMetrics(pooled: $0.mapValues { $0.compactMap(\.asDouble) }, replicateCount: replicates) }
    }
}
