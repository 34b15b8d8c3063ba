extension HypothesisTests {
    /// Two-sided permutation test on the difference of means, with `resamples` random relabelings.
    ///
    /// Makes no distributional assumption at all (only exchangeability under the null), so it is
    /// the fallback when neither normality nor a rank test fits. The statistic is
    /// mean(a) - mean(b), the same sign as Welch's t, and
    ///     p = (#{relabelings with |diff*| >= |diff|} + 1) / (resamples + 1),
    /// counting the observed labelling as one of the relabelings so that p is never 0 (a finite
    /// sample of relabelings cannot prove that none is more extreme) and the test stays valid.
    ///
    /// Deterministic for a given generator state. Empty groups or NaN values give NaN and consume
    /// no randomness; `resamples <= 0` gives p = 1 (the formula with no relabelings: no evidence).
    public static func permutation<G: RandomNumberGenerator>(
        _ a: [Double], _ b: [Double], resamples: Int, using rng: inout G
    ) -> TestOutcome {
        guard !a.isEmpty, !b.isEmpty, !containsNaN(a, b) else { return .undefined }
        var pooled = a + b
        let total = pooled.reduce(0, +)
        let countA = Double(a.count), countB = Double(b.count)
        let observed = SampleMoments(a).mean - SampleMoments(b).mean
        // Relabelings that reproduce the observed split exactly can round to a slightly smaller
        // |diff| than the observed one; a relative slack of 100 ulps (as scipy's permutation_test
        // uses) keeps them counted as "at least as extreme".
        let threshold = abs(observed) * (1 - 100 * Double.ulpOfOne)
        var extreme = 0
        let draws = Swift.max(resamples, 0)
        for _ in 0..<draws {
            // A partial Fisher–Yates shuffle: only the first |a| slots need to be a uniformly
            // random subset, and the rest of the pool is group b by exclusion.
            var sumA = 0.0
            for i in 0..<a.count {
                let j = Int.random(in: i..<pooled.count, using: &rng)
                pooled.swapAt(i, j)
                sumA += pooled[i]
            }
            let diff = sumA / countA - (total - sumA) / countB
            if abs(diff) >= threshold { extreme += 1 }
        }
        let p = Double(extreme + 1) / Double(draws + 1)
        return TestOutcome(statistic: observed, pValue: p)
    }
}
