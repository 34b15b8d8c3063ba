/// A percentile bootstrap confidence interval for mean(b) - mean(a), plus a bootstrap p-value.
///
/// The interval and the p-value come from the same resampled distribution, so they agree with each
/// other: the interval excludes 0 roughly when p < 1 - confidence.
public struct BootstrapInterval: Equatable, Sendable {
    /// Lower end of the interval; NaN when no interval can be formed (empty group, NaN values,
    /// no resamples, or a confidence outside (0, 1)).
    public var low: Double
    /// Upper end of the interval; NaN under the same conditions as `low`.
    public var high: Double
    /// Two-sided bootstrap p-value for "difference is 0"; never exactly 0, because a finite number
    /// of resamples cannot prove that nothing more extreme exists.
    public var pValue: Double

    /// Memberwise initializer; public so callers can construct expected values in their own tests.
    public init(low: Double, high: Double, pValue: Double) {
        self.low = low
        self.high = high
        self.pValue = pValue
    }
}
