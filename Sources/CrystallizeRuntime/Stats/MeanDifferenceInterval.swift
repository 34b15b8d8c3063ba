/// The effect size every hypothesis reports: treatment mean minus baseline mean, with a
/// confidence interval from Student's t, paired (for paired verifiers) or Welch's.
public struct MeanDifferenceInterval: Equatable, Sendable {
    /// mean(treatment) − mean(baseline) (the mean of the pairwise differences, when paired).
    public var difference: Double
    /// The interval's ends; NaN when it is undefined (fewer than two values per side).
    public var low: Double, high: Double
    /// The confidence level, e.g. 0.95.
    public var confidence: Double
    /// "paired" or "welch".
    public var kind: String

    /// The paired interval: d̄ ± t(1 − α/2, n − 1) · sd(d) / √n over d = treatment − baseline.
    public static func paired(_ baseline: [Double], _ treatment: [Double], confidence: Double = 0.95) -> MeanDifferenceInterval {
        guard baseline.count == treatment.count, !baseline.isEmpty else {
            return MeanDifferenceInterval(difference: .nan, low: .nan, high: .nan, confidence: confidence, kind: "paired")
        }
        let m = SampleMoments(zip(baseline, treatment).map { $1 - $0 })
        let half = StudentT.quantile(upperTail: (1 - confidence) / 2, degreesOfFreedom: Double(m.count - 1)) * (m.variance / Double(m.count)).squareRoot()
        return MeanDifferenceInterval(difference: m.mean, low: m.mean - half, high: m.mean + half, confidence: confidence, kind: "paired")
    }

    /// Welch's interval: (t̄ − b̄) ± t(1 − α/2, ν) · √(s_b²/n_b + s_t²/n_t), ν by Welch–Satterthwaite.
    public static func welch(_ baseline: [Double], _ treatment: [Double], confidence: Double = 0.95) -> MeanDifferenceInterval {
        let b = SampleMoments(baseline), t = SampleMoments(treatment)
        let difference = t.mean - b.mean
        let vb = b.variance / Double(b.count), vt = t.variance / Double(t.count)
        let se = (vb + vt).squareRoot()
        let df = (vb + vt) * (vb + vt) / (vb * vb / Double(b.count - 1) + vt * vt / Double(t.count - 1))
        let half = se == 0 ? 0 : StudentT.quantile(upperTail: (1 - confidence) / 2, degreesOfFreedom: df) * se
        return MeanDifferenceInterval(difference: difference, low: difference - half, high: difference + half, confidence: confidence, kind: "welch")
    }

    /// The JSON form kept in results: {mean_difference, ci_low, ci_high, confidence, kind}.
    public var json: Value {
        .map(["mean_difference": .double(difference), "ci_low": .double(low), "ci_high": .double(high),
              "confidence": .double(confidence), "kind": .string(kind)])
    }
}

extension StudentT {
    /// The t with P(T > t) = `p` for ν degrees of freedom (0 < p < 0.5), by bisection on the
    /// two-sided p-value, which falls steadily in |t|. NaN when ν is not positive.
    static func quantile(upperTail p: Double, degreesOfFreedom nu: Double) -> Double {
        guard nu > 0, nu.isFinite || nu == .infinity, p > 0, p < 0.5 else { return .nan }
        var lo = 0.0, hi = 1.0
        while twoSidedPValue(hi, degreesOfFreedom: nu) > 2 * p { hi *= 2; if hi > 1e12 { return .infinity } }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if twoSidedPValue(mid, degreesOfFreedom: nu) > 2 * p { lo = mid } else { hi = mid }
            if hi - lo <= 1e-15 * hi { break }
        }
        return (lo + hi) / 2
    }
}
