/// Streaming summary of a sequence of numbers: count, mean, sample standard deviation, min, max.
///
/// Uses Welford's update so a long stream of large, close values does not lose its variance to
/// cancellation the way the naive sum-of-squares formula does, and so values need not be stored.
public struct RunningSummary: Sendable {
    /// How many values were added, NaN included (NaN is an observation, just a poisoned one).
    public private(set) var n = 0
    private var runningMean = 0.0
    private var m2 = 0.0
    private var lowest = Double.infinity
    private var highest = -Double.infinity
    private var sawNaN = false

    /// An empty summary; every statistic is NaN until values arrive, as numpy reports for empty input.
    public init() {}

    /// Folds one value into the summary in O(1).
    public mutating func add(_ x: Double) {
        n += 1
        if x.isNaN { sawNaN = true }
        // Welford: correct the mean by the scaled deviation, then accumulate the product of the
        // deviations before and after the update, which is always non-negative.
        let before = x - runningMean
        runningMean += before / Double(n)
        m2 += before * (x - runningMean)
        if x < lowest { lowest = x }
        if x > highest { highest = x }
    }

    /// Folds a sequence of values into the summary.
    public mutating func add<S: Sequence>(contentsOf values: S) where S.Element == Double {
        for v in values { add(v) }
    }

    /// Arithmetic mean; NaN when empty (0 would pass for a real measurement) or when a NaN was added.
    public var mean: Double { n == 0 || sawNaN ? .nan : runningMean }

    /// Sample variance (ddof = 1), the unbiased estimator matching numpy's `var(ddof=1)`;
    /// NaN for fewer than two values because spread cannot be estimated from one point.
    public var variance: Double {
        guard n > 1, !sawNaN else { return .nan }
        return Swift.max(m2, 0) / Double(n - 1)
    }

    /// Sample standard deviation (ddof = 1); NaN for fewer than two values.
    public var standardDeviation: Double { variance.squareRoot() }

    /// Smallest value; NaN when empty or when a NaN was added, so a poisoned stream never reports a
    /// plausible-looking extreme.
    public var min: Double { n == 0 || sawNaN ? .nan : lowest }

    /// Largest value; NaN when empty or when a NaN was added.
    public var max: Double { n == 0 || sawNaN ? .nan : highest }
}
