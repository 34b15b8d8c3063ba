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
public enum HypothesisEvaluator {
    /// Evaluates `hypotheses` on aggregated metrics (condition to metric name to values).
    public static func evaluate(_ hypotheses: [PlannedHypothesis], metrics: OrderedDictionary<String, OrderedDictionary<String, [Double]>>,
                                treatments: [String], warn: (String) -> Void) -> [HypothesisOutcome] {
        hypotheses.map { h in
            var results = OrderedDictionary<String, [OrderedDictionary<String, Value>]>()
            let base = metrics["baseline"] ?? [:]
            for t in treatments {
                let treat = metrics[t] ?? [:]
                results[t] = h.metricGroups.map { group in
                    do { return try verify(h, group: group, baseline: base, treatment: treat) } catch {
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

    static func verify(_ h: PlannedHypothesis, group: [String], baseline: OrderedDictionary<String, [Double]>,
                       treatment: OrderedDictionary<String, [Double]>) throws -> OrderedDictionary<String, Value> {
        for m in group where baseline[m] == nil && treatment[m] == nil {
            throw StepCallError(message: "metric '\(m)' was never recorded; recorded metrics: \(Array(Set(baseline.keys).union(treatment.keys)).sorted().joined(separator: ", "))")
        }
        switch h.verifier {
        case .builtin(let name):
            let b = group.flatMap { baseline[$0] ?? [] }, t = group.flatMap { treatment[$0] ?? [] }
            return try BuiltinVerifiers.run(name, baseline: b, treatment: t, params: h.params)
        case .plugin(let e):
            var resolved = OrderedDictionary<String, Value>()
            for p in e.params {
                if let v = h.params[p.name] { resolved[p.name] = v } else if let d = p.defaultValue { resolved[p.name] = d }
                else { throw StepCallError(message: "verifier '\(e.qualifiedName)' needs parameter '\(p.name)'") }
            }
            let frame = CallFrame(exportName: e.qualifiedName, context: nil, params: resolved, rng: SeededGenerator(seed: 0))
            func arrays(_ src: OrderedDictionary<String, [Double]>) -> Value {
                var m = OrderedDictionary<String, Value>()
                for g in group { m[g] = .doubles(DoubleArray.copy(of: src[g] ?? [])) }
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
}
