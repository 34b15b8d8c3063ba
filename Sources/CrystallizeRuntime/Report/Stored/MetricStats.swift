import Foundation

/// What a plot or a table says about one condition's values of one metric: n, mean, sd, the
/// quartiles and the 95% interval of the mean (Student t).
public struct MetricStats: Equatable {
    /// Count.
    public var n: Int
    /// Mean (NaN when empty).
    public var mean: Double
    /// Sample standard deviation (NaN below two values).
    public var sd: Double
    /// Smallest, first quartile, median, third quartile, largest (NaN when empty).
    public var min: Double, q1: Double, median: Double, q3: Double, max: Double
    /// The 95% interval of the mean (NaN below two values).
    public var ciLow: Double, ciHigh: Double

    /// The statistics of `values`.
    public init(_ values: [Double]) {
        let v = values.filter { $0.isFinite }.sorted()
        n = v.count
        var s = RunningSummary()
        v.forEach { s.add($0) }
        mean = n > 0 ? s.mean : .nan
        sd = n > 1 ? s.standardDeviation : .nan
        min = v.first ?? .nan
        max = v.last ?? .nan
        q1 = Self.quantile(v, 0.25); median = Self.quantile(v, 0.5); q3 = Self.quantile(v, 0.75)
        if n > 1 {
            let half = Self.tQuantile975(degreesOfFreedom: Double(n - 1)) * sd / Double(n).squareRoot()
            ciLow = mean - half; ciHigh = mean + half
        } else { ciLow = .nan; ciHigh = .nan }
    }

    /// Linear-interpolated quantile of sorted values (numpy's default).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let pos = q * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
    }

    /// The 0.975 quantile of Student's t: the t where the two-sided p-value is 0.05, by bisection.
    public static func tQuantile975(degreesOfFreedom nu: Double) -> Double {
        var lo = 0.0, hi = 1000.0
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if StudentT.twoSidedPValue(mid, degreesOfFreedom: nu) > 0.05 { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// Treatment mean minus baseline mean with its 95% Welch interval.
    public static func meanDifference(baseline a: [Double], treatment b: [Double]) -> (difference: Double, low: Double, high: Double) {
        let sa = MetricStats(a), sb = MetricStats(b)
        let d = sb.mean - sa.mean
        guard sa.n > 1, sb.n > 1 else { return (d, .nan, .nan) }
        let va = sa.sd * sa.sd / Double(sa.n), vb = sb.sd * sb.sd / Double(sb.n)
        let se = (va + vb).squareRoot()
        guard se > 0 else { return (d, d, d) }
        let df = (va + vb) * (va + vb) / (va * va / Double(sa.n - 1) + vb * vb / Double(sb.n - 1))
        let half = tQuantile975(degreesOfFreedom: df) * se
        return (d, d - half, d + half)
    }
}
