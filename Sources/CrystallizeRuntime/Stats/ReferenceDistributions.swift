import Foundation

/// Tail probabilities of the standard normal distribution.
///
/// Uses erfc directly rather than 1 - erf, because erfc keeps full relative precision in the far
/// tail, where a p-value of 1e-30 is still meaningful and must not round to 0.
enum StandardNormal {
    /// P(Z >= z).
    static func upperTail(_ z: Double) -> Double {
        0.5 * erfc(z / 2.0.squareRoot())
    }

    /// P(|Z| >= |z|).
    static func twoSidedPValue(_ z: Double) -> Double {
        erfc(abs(z) / 2.0.squareRoot())
    }
}

/// Tail probabilities of Student's t distribution.
enum StudentT {
    /// P(|T| >= |t|) with ν degrees of freedom, which equals I_{ν/(ν+t²)}(ν/2, 1/2). Going through
    /// the incomplete beta rather than integrating the density keeps small p-values exact to
    /// many digits. NaN when t or ν is NaN or ν <= 0.
    ///
    /// Known limit: for very large ν the continued fraction is evaluated where it nearly cancels,
    /// and relative accuracy degrades to roughly 1e-16·ν (about 1e-11 at ν = 1e6, 3e-10 at 1e7),
    /// still far below anything that could change a verdict.
    static func twoSidedPValue(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard !t.isNaN, !nu.isNaN, nu > 0 else { return .nan }
        if t.isInfinite { return 0 }
        if nu.isInfinite { return StandardNormal.twoSidedPValue(t) }
        // x = ν/(ν+t²) and 1-x = t²/(ν+t²), both formed from r = t²/ν without subtracting from 1,
        // and both still correct when t² overflows (r = ∞) or t = 0 (r = 0).
        // The logs come straight from r as well, since with large ν the result is sensitive to
        // the last bit of log x.
        let r = t * t / nu
        let x = 1 / (1 + r)
        let y = 1 / (1 + 1 / r)
        let logX = -log1p(r)
        let logY = r < 1 ? log(r) - log1p(r) : -log1p(1 / r)
        return IncompleteBeta.regularized(nu / 2, 0.5, x: x, oneMinusX: y, logX: logX, logOneMinusX: logY)
    }
}
