extension HypothesisTests {
    /// Welch's unequal-variance t-test, two-sided. Matches
    /// `scipy.stats.ttest_ind(a, b, equal_var=False)`: statistic t = (mean(a) - mean(b)) / se with
    /// the Welch–Satterthwaite degrees of freedom, which are also returned.
    ///
    /// Welch rather than Student because experiment conditions rarely have equal variances, and
    /// Welch loses almost nothing when they do.
    ///
    /// Undefined cases give a NaN p-value: a group with fewer than two values (its variance cannot
    /// be estimated), NaN or infinite values, and both variances zero. In that last case scipy
    /// 1.17 reports p = 0 when the means differ, but with no spread at all there is no sampling
    /// distribution to test against, so this returns NaN rather than claim certainty; the
    /// statistic is still ±infinity (or NaN for equal means) as in scipy.
    public static func welchT(_ a: [Double], _ b: [Double]) -> TestOutcome {
        let x = SampleMoments(a), y = SampleMoments(b)
        guard x.count >= 2, y.count >= 2, !containsNaN(a, b) else { return .undefined }
        let seA = x.variance / Double(x.count)
        let seB = y.variance / Double(y.count)
        let standardError = (seA + seB).squareRoot()
        let t = (x.mean - y.mean) / standardError
        guard standardError > 0, standardError.isFinite else {
            return TestOutcome(statistic: t, pValue: .nan, degreesOfFreedom: .nan)
        }
        let df = (seA + seB) * (seA + seB)
            / (seA * seA / Double(x.count - 1) + seB * seB / Double(y.count - 1))
        return TestOutcome(statistic: t, pValue: StudentT.twoSidedPValue(t, degreesOfFreedom: df),
                           degreesOfFreedom: df)
    }
}
