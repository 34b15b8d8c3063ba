import Foundation

/// The regularized incomplete beta function I_x(a, b) and the log-beta it needs.
///
/// Both the Student t and the F distributions reduce to I_x, so one careful implementation gives
/// p-values with nearly full double precision, including far into the tails where the naive
/// "1 - CDF" route would return 0.
enum IncompleteBeta {
    /// Iteration cap for the continued fraction. Convergence needs roughly sqrt(max(a, b)) terms,
    /// so this covers any degrees of freedom a real experiment produces; if it is ever reached the
    /// last convergent is still a good approximation, which beats failing.
    static let maxIterations = 20_000

    /// I_x(a, b) for a, b > 0 and 0 <= x <= 1; NaN outside that domain.
    static func regularized(_ a: Double, _ b: Double, x: Double) -> Double {
        regularized(a, b, x: x, oneMinusX: 1 - x)
    }

    /// I_x(a, b) where the caller also supplies 1 - x. Callers can often form 1 - x without
    /// cancellation (for the t distribution it is t²/(ν + t²)), and when x is close to 1 that
    /// complement carries all the information the answer depends on.
    static func regularized(_ a: Double, _ b: Double, x: Double, oneMinusX y: Double) -> Double {
        regularized(a, b, x: x, oneMinusX: y, logX: logOfUnit(x, complement: y), logOneMinusX: logOfUnit(y, complement: x))
    }

    /// I_x(a, b) with log x and log(1 - x) supplied as well. The prefactor is exp(a·log x + ...),
    /// so with a in the millions (huge degrees of freedom) a rounding error of 1e-16 in log x
    /// becomes 1e-10 in the result; callers that can form the logs directly from their own
    /// parameters (as the t distribution can, via log1p) avoid that loss.
    static func regularized(_ a: Double, _ b: Double, x: Double, oneMinusX y: Double,
                            logX: Double, logOneMinusX logY: Double) -> Double {
        guard a > 0, b > 0, x >= 0, y >= 0, a.isFinite, b.isFinite else { return .nan }
        if x == 0 { return 0 }
        if y == 0 { return 1 }
        // The continued fraction converges quickly only to the left of the distribution's mean
        // (about (a+1)/(a+b+2)); to the right, evaluate the mirrored function and reflect:
        // I_x(a, b) = 1 - I_{1-x}(b, a).
        if x > (a + 1) / (a + b + 2) {
            return 1 - leftOfMean(b, a, x: y, logX: logY, logOneMinusX: logX)
        }
        return leftOfMean(a, b, x: x, logX: logX, logOneMinusX: logY)
    }

    /// Evaluates x^a (1-x)^b / (a B(a,b)) divided by the continued fraction, assuming x lies where
    /// the fraction converges.
    private static func leftOfMean(_ a: Double, _ b: Double, x: Double, logX: Double, logOneMinusX: Double) -> Double {
        // Work in logs so that tiny tail probabilities do not underflow before the final exp.
        let logFront = a * logX + b * logOneMinusX - logBeta(a, b)
        return exp(logFront) / (a * continuedFraction(a, b, x: x))
    }

    /// log(v) for v in (0, 1], taking the log1p route near 1 where `v` itself has lost digits
    /// that its complement still has.
    private static func logOfUnit(_ v: Double, complement: Double) -> Double {
        v < 0.5 ? log(v) : log1p(-complement)
    }

    /// The continued fraction 1 + d1/(1 + d2/(1 + ...)) of the incomplete beta function, with
    ///   d(2m+1) = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),   d(2m) = m(b-m) x / ((a+2m-1)(a+2m)),
    /// evaluated front to back by the modified Lentz method. Lentz avoids recomputing the fraction
    /// from the tail for every extra term, and nudging zero denominators to a tiny value keeps a
    /// single vanishing partial denominator from producing 0/0.
    static func continuedFraction(_ a: Double, _ b: Double, x: Double) -> Double {
        let tiny = 1e-300
        var value = 1.0            // b0 of the fraction
        var c = value              // ratio of successive numerators
        var d = 0.0                // ratio of successive denominators
        for j in 1...maxIterations {
            let coefficient: Double
            if j % 2 == 1 {
                let m = Double((j - 1) / 2)
                coefficient = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            } else {
                let m = Double(j / 2)
                coefficient = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            }
            d = 1 + coefficient * d
            if abs(d) < tiny { d = tiny }
            c = 1 + coefficient / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = c * d
            value *= step
            if abs(step - 1) <= 2 * Double.ulpOfOne { break }
        }
        return value
    }

    /// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b).
    ///
    /// For a large argument L the direct sum subtracts two huge, nearly equal lgamma values (about
    /// L log L each) and keeps only their rounding error; with many degrees of freedom that error
    /// would dominate the p-value. So there the difference lgamma(L) - lgamma(L + s) is formed
    /// analytically from Stirling's series, where the large terms cancel exactly on paper.
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        let small = Swift.min(a, b), large = Swift.max(a, b)
        if large < 10 { return lgamma(a) + lgamma(b) - lgamma(a + b) }
        let sum = large + small
        let difference = -(large - 0.5) * log1p(small / large) - small * log(sum) + small
            + stirlingCorrection(large) - stirlingCorrection(sum)
        return lgamma(small) + difference
    }

    /// lgamma(x) - [(x - 1/2) log x - x + log(2π)/2] for x >= 10, from the asymptotic series
    /// 1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷) + 1/(1188x⁹); the next term is below 1e-13
    /// there, far inside the tolerance the tests demand.
    static func stirlingCorrection(_ x: Double) -> Double {
        let inv = 1 / x, inv2 = inv * inv
        return inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 / 1188))))
    }
}
