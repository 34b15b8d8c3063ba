import OrderedCollections

/// One condition's numeric metric values replicate by replicate, so verifiers can pool them
/// (two-sample tests) or pair them with another condition's by replicate index (paired tests).
public struct ConditionMetrics {
    /// For each replicate index, its values by metric name; nil when the replicate failed or
    /// did not run in this condition.
    public var replicates: [OrderedDictionary<String, [Double]>?]

    /// Metrics by replicate index (nil: failed or missing).
    public init(replicates: [OrderedDictionary<String, [Double]>?]) { self.replicates = replicates }

    /// From results.json's pooled lists, for a complete run: every replicate recorded each
    /// metric the same number of times, in replicate order, so the lists split evenly. A list
    /// that does not split stays whole on replicate 0 (pooled tests still see every value;
    /// pairing reports it).
    public init(pooled: OrderedDictionary<String, [Double]>, replicateCount: Int) {
        var reps = [OrderedDictionary<String, [Double]>?](repeating: [:], count: max(replicateCount, 1))
        for (name, values) in pooled {
            if replicateCount > 0, values.count % replicateCount == 0 {
                let k = values.count / replicateCount
                for r in 0..<replicateCount { reps[r]![name] = Array(values[(r * k)..<((r + 1) * k)]) }
            } else {
                reps[0]![name] = values
            }
        }
        replicates = reps
    }

    /// Whether any replicate recorded `metric`.
    func recorded(_ metric: String) -> Bool { replicates.contains { $0?[metric] != nil } }

    /// Every metric name recorded.
    var metricNames: [String] {
        var seen = OrderedDictionary<String, Bool>()
        for r in replicates { for k in r?.keys ?? [] { seen[k] = true } }
        return Array(seen.keys)
    }

    /// The values of `group`'s metrics over the replicates present, in replicate order.
    func pooled(_ group: [String]) -> [Double] {
        group.flatMap { m in replicates.flatMap { $0?[m] ?? [] } }
    }

    /// The values of `group` in replicate `r` (nil when it failed or is missing).
    func values(_ group: [String], replicate r: Int) -> [Double]? {
        guard r < replicates.count, let rep = replicates[r] else { return nil }
        return group.flatMap { rep[$0] ?? [] }
    }
}

/// Baseline and treatment values paired by replicate index.
struct PairedValues {
    var baseline: [Double] = []
    var treatment: [Double] = []
    /// Replicates that gave pairs.
    var replicatesUsed = 0
    /// Replicates left out because they failed (or did not run) in either condition.
    var replicatesLeftOut = 0

    /// Pairs `group` of two conditions replicate by replicate. Within a replicate the i-th
    /// value of one condition pairs with the i-th of the other; a replicate recording a
    /// different number of values in the two conditions cannot be paired.
    init(_ group: [String], baseline b: ConditionMetrics, treatment t: ConditionMetrics) throws {
        for r in 0..<max(b.replicates.count, t.replicates.count) {
            guard let x = b.values(group, replicate: r), let y = t.values(group, replicate: r) else { replicatesLeftOut += 1; continue }
            guard x.count == y.count else {
                throw StepCallError(message: "replicate \(r) recorded \(x.count) value(s) of \(group.joined(separator: "+")) in the baseline and \(y.count) in the treatment; a paired test needs equal counts")
            }
            if x.isEmpty { replicatesLeftOut += 1; continue }
            baseline += x
            treatment += y
            replicatesUsed += 1
        }
    }
}
