/// Outcome of a two-sample hypothesis test.
///
/// One shape for every test so verifiers can report any of them the same way; fields a test cannot
/// give are NaN (undefined input) or nil (the concept does not apply), never a made-up number.
public struct TestOutcome: Equatable, Sendable {
    /// The test's own statistic (t, U, or a mean difference), in scipy's sign convention so numbers
    /// can be checked against a Python notebook.
    public var statistic: Double
    /// Two-sided p-value in [0, 1], or NaN when the test is undefined for the input, so that callers
    /// checking `p < alpha` treat an undefined test as "not significant" rather than crashing.
    public var pValue: Double
    /// Degrees of freedom for tests whose null distribution has them (Welch); nil otherwise.
    public var degreesOfFreedom: Double?

    /// Memberwise initializer; public because verifiers in other modules build outcomes too.
    public init(statistic: Double, pValue: Double, degreesOfFreedom: Double? = nil) {
        self.statistic = statistic
        self.pValue = pValue
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// The answer for inputs on which a test is undefined (empty group, NaN values).
    static let undefined = TestOutcome(statistic: .nan, pValue: .nan)
}
