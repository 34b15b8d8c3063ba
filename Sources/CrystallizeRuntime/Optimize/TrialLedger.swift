import Foundation
import OrderedCollections

/// The metric values of every candidate and of the baseline, kept as chunks of consecutive
/// replicates (each trial run measures replicates from..<to), so an extended candidate is
/// measured on replicates 0..<n exactly once, and the baseline it is compared with on the same.
struct TrialLedger {
    typealias Metrics = OrderedDictionary<String, [Double]>
    private var chunks: [String: [Int: (to: Int, metrics: Metrics)]] = [:]

    /// Replicates candidate `name` has been measured on.
    func replicates(of name: String) -> Int {
        var at = 0
        while let c = chunks[name]?[at] { at = c.to }
        return at
    }

    /// Records condition `name`'s metrics over replicates from..<to (a repeat replaces).
    mutating func record(_ name: String, from: Int, to: Int, metrics: Metrics) {
        chunks[name, default: [:]][from] = (to, metrics)
    }

    /// `name`'s metrics over replicates 0..<to, chunk by chunk.
    func metrics(of name: String, upTo to: Int) -> Metrics {
        var out = Metrics()
        var at = 0
        while at < to, let c = chunks[name]?[at] {
            for (k, v) in c.metrics { out[k, default: []] += v }
            at = c.to
        }
        return out
    }

    /// Mean and standard error of `values`.
    static func moments(_ values: [Double]) -> (mean: Double?, standardError: Double?) {
        var s = RunningSummary()
        values.forEach { s.add($0) }
        guard s.n > 0 else { return (nil, nil) }
        return (s.mean, s.n > 1 ? s.standardDeviation / Double(s.n).squareRoot() : nil)
    }
}
