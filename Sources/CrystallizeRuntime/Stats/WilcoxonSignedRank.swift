import Foundation

/// The result of a Wilcoxon signed-rank test: the outcome, and how its p-value was found.
public struct SignedRankOutcome: Equatable, Sendable {
    /// Statistic min(R+, R−) and the two-sided p-value.
    public var outcome: TestOutcome
    /// "exact" (the null distribution itself) or "normal" (the normal approximation).
    public var method: String
    /// Non-zero differences the ranks were taken over.
    public var nonZeroPairs: Int
}

extension HypothesisTests {
    /// Wilcoxon signed-rank test, two-sided, on pairs (baseline[i], treatment[i]), d =
    /// baseline − treatment. Zero differences are dropped (scipy's zero_method="wilcox").
    ///
    /// Without ties or zeros and with at most 50 pairs the p-value comes from the exact null
    /// distribution, as `scipy.stats.wilcoxon(baseline, treatment)` gives it. Otherwise it is
    /// the normal approximation with scipy's tie correction of the variance and no continuity
    /// correction, as `scipy.stats.wilcoxon(baseline, treatment, method="asymptotic")` gives it
    /// (scipy's default would use a permutation test for small samples with ties; the normal
    /// approximation is deterministic and documented instead).
    public static func wilcoxonSignedRank(_ baseline: [Double], _ treatment: [Double]) -> SignedRankOutcome {
        let undefined = SignedRankOutcome(outcome: .undefined, method: "none", nonZeroPairs: 0)
        guard baseline.count == treatment.count, !baseline.isEmpty, !containsNaN(baseline, treatment) else { return undefined }
        let all = zip(baseline, treatment).map { $0 - $1 }
        let d = all.filter { $0 != 0 }
        let zeros = all.count - d.count
        guard !d.isEmpty else { return SignedRankOutcome(outcome: .undefined, method: "none", nonZeroPairs: 0) }
        let (ranks, tieSizes) = Ranking.averageRanks(d.map(abs))
        var rPlus = 0.0, rMinus = 0.0
        for (x, r) in zip(d, ranks) { if x > 0 { rPlus += r } else { rMinus += r } }
        let statistic = min(rPlus, rMinus)
        let n = d.count
        let hasTies = tieSizes.contains { $0 > 1 }
        if !hasTies && zeros == 0 && all.count <= 50 {
            let dist = SignedRankDistribution(n)
            let k = Int(rPlus.rounded())
            let p = min(1, 2 * min(dist.atLeast(k), dist.atMost(k)))
            return SignedRankOutcome(outcome: TestOutcome(statistic: statistic, pValue: p), method: "exact", nonZeroPairs: n)
        }
        let count = Double(n)
        let mean = count * (count + 1) / 4
        let tieCorrection = tieSizes.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
        let sd = ((count * (count + 1) * (2 * count + 1) - tieCorrection / 2) / 24).squareRoot()
        guard sd > 0 else { return SignedRankOutcome(outcome: TestOutcome(statistic: statistic, pValue: .nan), method: "normal", nonZeroPairs: n) }
        let z = (rPlus - mean) / sd
        return SignedRankOutcome(outcome: TestOutcome(statistic: statistic, pValue: StandardNormal.twoSidedPValue(z)), method: "normal", nonZeroPairs: n)
    }
}

/// The null distribution of R+ for n untied, non-zero differences: each of the 2^n sign
/// patterns is equally likely, so P(R+ = k) counts the subsets of {1, …, n} summing to k.
struct SignedRankDistribution {
    private let probabilities: [Double]

    init(_ n: Int) {
        let top = n * (n + 1) / 2
        // Counts as Doubles: exact up to 2^53, far beyond n = 50's largest count.
        var counts = [Double](repeating: 0, count: top + 1)
        counts[0] = 1
        var reach = 0
        for rank in 1...max(n, 1) where n > 0 {
            reach += rank
            for k in stride(from: reach, through: rank, by: -1) { counts[k] += counts[k - rank] }
        }
        let total = pow(2.0, Double(n))
        probabilities = counts.map { $0 / total }
    }

    /// P(R+ <= k).
    func atMost(_ k: Int) -> Double { k < 0 ? 0 : probabilities[...min(k, probabilities.count - 1)].reduce(0, +) }
    /// P(R+ >= k).
    func atLeast(_ k: Int) -> Double { k >= probabilities.count ? 0 : probabilities[max(k, 0)...].reduce(0, +) }
}
