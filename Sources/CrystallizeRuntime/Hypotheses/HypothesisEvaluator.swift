import CCrystallize
import Foundation
import OrderedCollections

/// The verdict of one hypothesis over every treatment.
public struct HypothesisOutcome {
    /// Hypothesis name.
    public var name: String
    /// The verifier's name.
    public var verifier: String
    /// The metric groups tested.
    public var metricGroups: [[String]]
    /// Treatment name to the verifier's result for each metric group, in group order.
    public var results: OrderedDictionary<String, [OrderedDictionary<String, Value>]>
    /// Treatment ranking by the ranker key, lowest first.
    public var ranking: [String]
    /// The best treatment (first of the ranking), if any could be ranked.
    public var best: String?
    /// The result key used to rank.
    public var rankBy: String

    /// The JSON form (results.json "hypotheses" and --json).
    public var json: Value {
        .map(["name": .string(name), "verifier": .string(verifier),
              "metrics": .list(metricGroups.map { .list($0.map { .string($0) }) }),
              "ranker": .string(rankBy),
              "results": .map(results.mapValues { groups in groups.count == 1 ? .map(groups[0]) : .list(groups.map { .map($0) }) }),
              "ranking": .map(["order": .list(ranking.map { .string($0) }), "best": best.map { .string($0) } ?? .null])])
    }
}

/// Runs each hypothesis's verifier on baseline vs each treatment and ranks treatments.
///
/// Every result also carries an "effect": the treatment mean minus the baseline mean with a
/// 95% confidence interval, paired for paired verifiers and Welch's otherwise; paired
/// verifiers report how many replicates gave pairs ("pairs") and how many were left out
/// because they failed in either condition ("pairs_left_out").
public enum HypothesisEvaluator {
    /// Evaluates `hypotheses` on per-replicate metrics by condition; `seed` fixes the random
    /// stream each plugin verifier call draws from.
    public static func evaluate(_ hypotheses: [PlannedHypothesis], metrics: OrderedDictionary<String, ConditionMetrics>,
                                treatments: [String], seed: UInt64 = 0, warn: (String) -> Void) -> [HypothesisOutcome] {
        hypotheses.map { h in
            var results = OrderedDictionary<String, [OrderedDictionary<String, Value>]>()
            let base = metrics["baseline"] ?? ConditionMetrics(replicates: [])
            for t in treatments {
                let treat = metrics[t] ?? ConditionMetrics(replicates: [])
                results[t] = h.metricGroups.enumerated().map { index, group in
                    let stream = SeededGenerator(seed: seed, labels: "verifier", h.name, t, "\(index)")
                    do { return try verify(h, group: group, baseline: base, treatment: treat, stream: stream) } catch {
                        warn("warning: hypothesis '\(h.name)', treatment '\(t)': \(error)")
                        return ["error": .string("\(error)"), "p_value": .double(.nan), "significant": .bool(false)]
                    }
                }
            }
            // Lower is better; a treatment's score is its best (lowest) over metric groups.
            let scored: [(String, Double)] = results.compactMap { t, groups in
                let s = groups.compactMap { $0[h.rankBy]?.asDouble }.filter { !$0.isNaN }.min()
                return s.map { (t, $0) }
            }
            let ranking = scored.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.map(\.0)
            // A misspelt ranker would otherwise just leave "best: none" with no hint why.
            let keys = Set(results.values.flatMap { $0.filter { $0["error"] == nil }.flatMap(\.keys) })
            if !keys.isEmpty && !keys.contains(h.rankBy) {
                warn("warning: hypothesis '\(h.name)': ranker '\(h.rankBy)' is not in the verifier's results (they hold: \(keys.sorted().joined(separator: ", "))); no treatment is ranked")
            }
            return HypothesisOutcome(name: h.name, verifier: h.verifier.name, metricGroups: h.metricGroups, results: results,
                                     ranking: ranking, best: ranking.first, rankBy: h.rankBy)
        }
    }

    static func verify(_ h: PlannedHypothesis, group: [String], baseline: ConditionMetrics, treatment: ConditionMetrics,
                       stream: SeededGenerator) throws -> OrderedDictionary<String, Value> {
        for m in group where !baseline.recorded(m) && !treatment.recorded(m) {
            let names = Set(baseline.metricNames).union(treatment.metricNames).sorted()
            throw StepCallError(message: "metric '\(m)' was never recorded; recorded metrics: \(names.joined(separator: ", "))")
        }
        let b = baseline.pooled(group), t = treatment.pooled(group)
        var out: OrderedDictionary<String, Value>
        let effect: MeanDifferenceInterval
        switch h.verifier {
        case .builtin(let name) where BuiltinVerifiers.paired.contains(name):
            let pairs = try PairedValues(group, baseline: baseline, treatment: treatment)
            out = try BuiltinVerifiers.run(name, baseline: pairs.baseline, treatment: pairs.treatment, params: h.params)
            out["pairs"] = .int(Int64(pairs.replicatesUsed))
            out["pairs_left_out"] = .int(Int64(pairs.replicatesLeftOut))
            effect = .paired(pairs.baseline, pairs.treatment)
        case .builtin(let name):
            out = try BuiltinVerifiers.run(name, baseline: b, treatment: t, params: h.params)
            effect = .welch(b, t)
        case .plugin(let e):
            out = try callPlugin(e, h, group: group, baseline: baseline, treatment: treatment, stream: stream)
            effect = .welch(b, t)
        }
        // A plugin's own "effect" entry is its business; the host's goes beside it.
        out[out["effect"] == nil ? "effect" : "host_effect"] = effect.json
        return out
    }

    private static func callPlugin(_ e: PluginExport, _ h: PlannedHypothesis, group: [String], baseline: ConditionMetrics,
                                   treatment: ConditionMetrics, stream: SeededGenerator) throws -> OrderedDictionary<String, Value> {
        var resolved = OrderedDictionary<String, Value>()
        for p in e.params {
            if let v = h.params[p.name] { resolved[p.name] = v } else if let d = p.defaultValue { resolved[p.name] = d }
            else { throw StepCallError(message: "verifier '\(e.qualifiedName)' needs parameter '\(p.name)'") }
        }
        let frame = CallFrame(exportName: e.qualifiedName, context: nil, params: resolved, rng: stream)
        func arrays(_ src: ConditionMetrics) -> Value {
            var m = OrderedDictionary<String, Value>()
            for g in group { m[g] = .doubles(DoubleArray.copy(of: src.pooled([g]))) }
            return .map(m)
        }
        let b = frame.borrow(arrays(baseline)), t = frame.borrow(arrays(treatment))
        var out: OpaquePointer? = nil
        guard e.raw.verify!(frame.pointer, b.pointer, t.pointer, &out, e.raw.user) == CRYS_OK else {
            throw StepCallError(message: "verifier '\(e.qualifiedName)' failed: \(frame.error ?? "no message")")
        }
        guard case .map(let m)? = ValueBox.from(out)?.value, m["p_value"]?.asDouble != nil else {
            throw StepCallError(message: "verifier '\(e.qualifiedName)' must return a map with a numeric 'p_value'")
        }
        return m
    }
}
