/// Mean and sample variance of a stored sample, computed the way numpy does.
///
/// Two passes (mean first, then squared deviations from it) rather than Welford: the data are in
/// memory anyway, and this keeps results within a rounding error of scipy's, which is what the
/// p-value comparisons against scipy rely on.
struct SampleMoments {
    let count: Int
    let mean: Double
    /// Sample variance with ddof = 1; NaN for fewer than two values, as in numpy.
    let variance: Double

    init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else { mean = .nan; variance = .nan; return }
        let m = values.reduce(0, +) / Double(values.count)
        mean = m
        guard values.count > 1 else { variance = .nan; return }
        var squares = 0.0
        for v in values { let d = v - m; squares += d * d }
        variance = squares / Double(values.count - 1)
    }
}
