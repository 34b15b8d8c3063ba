extension HypothesisTests {
    /// Mann–Whitney U test, two-sided. Matches
    /// `scipy.stats.mannwhitneyu(a, b, alternative="two-sided")` with its default method "auto":
    /// the exact null distribution when at least one sample has at most 8 values and there are no
    /// ties anywhere, otherwise the normal approximation with tie and continuity corrections.
    /// (scipy switches to the approximation only when *both* samples exceed 8; this follows scipy.)
    /// The statistic is U of the first sample, the number of pairs with a > b (ties count 1/2).
    ///
    /// A rank test, so a single wild outlier in a metric cannot dominate the verdict the way it
    /// can with a t-test. Empty groups or NaN values give NaN.
    public static func mannWhitneyU(_ a: [Double], _ b: [Double]) -> TestOutcome {
        guard !a.isEmpty, !b.isEmpty, !containsNaN(a, b) else { return .undefined }
        let n1 = a.count, n2 = b.count
        let (ranks, tieSizes) = Ranking.averageRanks(a + b)
        let rankSumA = ranks[..<n1].reduce(0, +)
        let u1 = rankSumA - Double(n1 * (n1 + 1)) / 2
        let u2 = Double(n1 * n2) - u1
        // Two-sided: take the larger U's upper tail and double it. The distribution is symmetric,
        // so this equals doubling the smaller tail, and the result is clipped at 1 because the two
        // doubled tails overlap at the centre.
        let u = Swift.max(u1, u2)
        let hasTies = tieSizes.contains { $0 > 1 }
        let p: Double
        if Swift.min(n1, n2) <= 8 && !hasTies {
            // Without ties U is an integer, and P(U >= u) = P(U <= n1·n2 - u) by symmetry.
            let complement = n1 * n2 - Int(u.rounded())
            p = 2 * MannWhitneyExactDistribution(n1, n2).cdf(complement)
        } else {
            p = 2 * StandardNormal.upperTail(normalScore(u, n1, n2, tieSizes))
        }
        return TestOutcome(statistic: u1, pValue: Swift.min(Swift.max(p, 0), 1))
    }

    /// (U - mean - 1/2) / sd under the null. Ties shrink the variance, by Σ(t³ - t) over tie groups,
    /// because tied observations share ranks; the 1/2 is the continuity correction, always
    /// subtracted because the upper tail of the larger U is evaluated. When every value is tied the
    /// sd is 0 and the score is -∞, giving p = 1, which is the right answer for no evidence.
    private static func normalScore(_ u: Double, _ n1: Int, _ n2: Int, _ tieSizes: [Int]) -> Double {
        let n = Double(n1 + n2)
        let tieTerm = tieSizes.reduce(0.0) { total, size in
            let t = Double(size)
            return total + (t * t * t - t)
        }
        let variance = Double(n1) * Double(n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        let sd = Swift.max(variance, 0).squareRoot()  // rounding must not turn "no spread" into NaN
        let mean = Double(n1) * Double(n2) / 2
        return (u - mean - 0.5) / sd
    }
}
