extension HypothesisTests {
    /// Paired t-test, two-sided, on pairs (baseline[i], treatment[i]). Matches
    /// `scipy.stats.ttest_rel(baseline, treatment)`: statistic t = mean(d) / (sd(d) / √n) with
    /// d = baseline − treatment and n − 1 degrees of freedom.
    ///
    /// Under common random numbers both conditions of a replicate see the same noise, so the
    /// differences carry only the treatment's effect (and whatever noise it adds): a paired test
    /// sees through the shared noise that a two-sample test has to fight.
    ///
    /// Undefined (NaN) for fewer than two pairs, unequal lengths, or NaN values. When every
    /// difference is the same, the statistic is ±infinity with p = 0 (as scipy), or NaN when
    /// that difference is zero.
    public static func pairedT(_ baseline: [Double], _ treatment: [Double]) -> TestOutcome {
        guard baseline.count == treatment.count, baseline.count >= 2, !containsNaN(baseline, treatment) else { return .undefined }
        let d = zip(baseline, treatment).map { $0 - $1 }
        let m = SampleMoments(d)
        let df = Double(m.count - 1)
        let se = (m.variance / Double(m.count)).squareRoot()
        guard se > 0 else {
            if m.mean == 0 { return TestOutcome(statistic: .nan, pValue: .nan, degreesOfFreedom: df) }
            return TestOutcome(statistic: m.mean > 0 ? .infinity : -.infinity, pValue: 0, degreesOfFreedom: df)
        }
        let t = m.mean / se
        return TestOutcome(statistic: t, pValue: StudentT.twoSidedPValue(t, degreesOfFreedom: df), degreesOfFreedom: df)
    }
}
