extension HypothesisTests {
    /// Percentile bootstrap confidence interval for mean(b) - mean(a), with a two-sided bootstrap
    /// p-value for "the difference is 0".
    ///
    /// Reports an effect size with its uncertainty rather than only a verdict, and relies on no
    /// distributional assumption. Each resample draws |a| values from a and |b| values from b with
    /// replacement (groups are resampled separately, keeping their sizes and spreads). The interval
    /// is the (1-confidence)/2 and (1+confidence)/2 quantiles of the resampled differences, with
    /// numpy's default linear interpolation. The p-value is
    ///     min(1, 2 · min(#{diff* <= 0} + 1, #{diff* >= 0} + 1) / (resamples + 1)),
    /// twice the smaller tail beyond 0, with the same +1 as the permutation test so it is never 0.
    ///
    /// Deterministic for a given generator state. Empty groups or NaN values give NaN throughout;
    /// `resamples <= 0` gives a NaN interval and p = 1; a confidence outside (0, 1) gives a NaN
    /// interval but still a p-value.
    public static func bootstrapMeanDifference<G: RandomNumberGenerator>(
        _ a: [Double], _ b: [Double], resamples: Int, confidence: Double, using rng: inout G
    ) -> BootstrapInterval {
        guard !a.isEmpty, !b.isEmpty, !containsNaN(a, b) else {
            return BootstrapInterval(low: .nan, high: .nan, pValue: .nan)
        }
        let draws = Swift.max(resamples, 0)
        var differences: [Double] = []
        differences.reserveCapacity(draws)
        for _ in 0..<draws {
            differences.append(resampledMean(b, using: &rng) - resampledMean(a, using: &rng))
        }
        let atOrBelow = differences.reduce(0) { $0 + ($1 <= 0 ? 1 : 0) }
        let atOrAbove = differences.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        let tail = Double(Swift.min(atOrBelow, atOrAbove) + 1) / Double(draws + 1)
        let p = Swift.min(1, 2 * tail)
        guard draws > 0, confidence > 0, confidence < 1 else {
            return BootstrapInterval(low: .nan, high: .nan, pValue: p)
        }
        differences.sort()
        let alpha = 1 - confidence
        return BootstrapInterval(low: quantile(sorted: differences, alpha / 2),
                                 high: quantile(sorted: differences, 1 - alpha / 2),
                                 pValue: p)
    }

    /// Mean of |values| draws with replacement.
    private static func resampledMean<G: RandomNumberGenerator>(_ values: [Double], using rng: inout G) -> Double {
        var sum = 0.0
        for _ in values.indices { sum += values[Int.random(in: 0..<values.count, using: &rng)] }
        return sum / Double(values.count)
    }

    /// Quantile with linear interpolation between order statistics (numpy's default), so the
    /// interval does not jump as `resamples` changes by one.
    static func quantile(sorted values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + (values[upper] - values[lower]) * fraction
    }
}
