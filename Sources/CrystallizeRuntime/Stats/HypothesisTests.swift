/// Two-sample hypothesis tests used by the built-in verifiers.
///
/// A namespace rather than free functions so the tests read as `HypothesisTests.welchT(...)` at the
/// call site and do not collide with other names in the runtime. Every test takes the baseline
/// first and the treatment second, is two-sided, and never traps: inputs on which a test is
/// undefined (an empty group, NaN values, too few values) give a NaN p-value, which verifiers
/// report as "not significant".
public enum HypothesisTests {
    /// True if any value is NaN. NaN has no order and no arithmetic meaning, so like scipy's
    /// default `nan_policy="propagate"` the tests answer NaN instead of guessing.
    static func containsNaN(_ a: [Double], _ b: [Double]) -> Bool {
        a.contains(where: \.isNaN) || b.contains(where: \.isNaN)
    }
}
