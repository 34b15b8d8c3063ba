import Foundation

/// A linear map from data values to pixels, with "nice" tick values (1, 2 or 5 times a power of ten).
struct PlotScale {
    /// The data range shown (after widening to ticks).
    var low: Double, high: Double
    /// The pixel range: `low` maps to `pixelLow`.
    var pixelLow: Double, pixelHigh: Double

    /// A scale covering `values` (a flat range is widened so a point sits mid-axis).
    init(covering values: [Double], pixels: (Double, Double)) {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if lo == hi { lo -= abs(lo) > 0 ? abs(lo) * 0.1 : 1; hi += abs(hi) > 0 ? abs(hi) * 0.1 : 1 }
        let step = PlotScale.niceStep((hi - lo) / 5)
        low = (lo / step).rounded(.down) * step
        high = (hi / step).rounded(.up) * step
        pixelLow = pixels.0; pixelHigh = pixels.1
    }

    /// The pixel of a data value.
    func pixel(_ v: Double) -> Double { pixelLow + (v - low) / (high - low) * (pixelHigh - pixelLow) }

    /// Tick values inside the range.
    var ticks: [Double] {
        let step = PlotScale.niceStep((high - low) / 5)
        var out: [Double] = []
        var t = low
        while t <= high + step * 1e-9, out.count < 20 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    /// The nice step nearest above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let p = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * p >= raw { return m * p }
        return 10 * p
    }

    /// A tick label: short, without trailing zeros.
    static func label(_ v: Double) -> String {
        if v != 0 && (abs(v) >= 1e6 || abs(v) < 1e-3) { return String(format: "%.1e", v) }
        var s = String(format: "%.3f", v)
        while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
        return s == "-0" ? "0" : s
    }
}
