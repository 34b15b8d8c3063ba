// TEMPORARY until the statistics module lands.
public struct TestOutcome: Equatable, Sendable { public var statistic: Double; public var pValue: Double }
public struct BootstrapInterval { public var low: Double; public var high: Double; public var pValue: Double }
public enum HypothesisTests {
    public static func welchT(_ a: [Double], _ b: [Double]) -> TestOutcome { TestOutcome(statistic: 0, pValue: 0.5) }
    public static func mannWhitneyU(_ a: [Double], _ b: [Double]) -> TestOutcome { TestOutcome(statistic: 0, pValue: 0.5) }
    public static func permutation<G: RandomNumberGenerator>(_ a: [Double], _ b: [Double], resamples: Int, using rng: inout G) -> TestOutcome { TestOutcome(statistic: 0, pValue: 0.5) }
    public static func bootstrapMeanDifference<G: RandomNumberGenerator>(_ a: [Double], _ b: [Double], resamples: Int, confidence: Double, using rng: inout G) -> BootstrapInterval { BootstrapInterval(low: 0, high: 0, pValue: 0.5) }
}
public struct RunningSummary {
    public var n = 0, mean = 0.0, m2 = 0.0
    public init() {}
    public mutating func add(_ x: Double) { n += 1; let d = x - mean; mean += d / Double(n); m2 += d * (x - mean) }
    public var standardDeviation: Double { n > 1 ? (m2 / Double(n - 1)).squareRoot() : .nan }
}
