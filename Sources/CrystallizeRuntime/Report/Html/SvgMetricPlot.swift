import Foundation

/// One metric's plot: a column per condition (baseline first), one point per replicate with a
/// box (quartiles, median, whiskers to min and max) and the mean with its 95% interval beside it.
/// Above `pointLimit` values in a condition, the points give way to a histogram of the values,
/// and the plot says so.
struct SvgMetricPlot {
    /// Above this many values in one condition, a summary is drawn instead of every point.
    static let pointLimit = 2000

    let metric: String
    /// Condition name and its (replicate, value) pairs, in display order.
    let columns: [(condition: String, values: [(replicate: Int, value: Double)])]

    /// Whether some column is summarised rather than drawn point by point.
    var summarised: Bool { columns.contains { $0.values.count > Self.pointLimit } }

    /// The SVG element.
    func render() -> String {
        let band = 150.0, left = 64.0, top = 16.0, plotHeight = 220.0
        let width = left + band * Double(max(columns.count, 1)) + 16
        let height = top + plotHeight + 48
        let scale = PlotScale(covering: columns.flatMap { $0.values.map(\.value) }, pixels: (top + plotHeight, top))
        var s = SvgAxes.open(width: width, height: height, attributes: "data-metric=\"\(HtmlText.escape(metric))\"", title: "\(metric) per replicate, by condition")
        s += SvgAxes.valueAxis(scale, left: left, right: width - 8, top: top, plotHeight: plotHeight, label: metric)
        for (i, column) in columns.enumerated() {
            let center = left + band * (Double(i) + 0.5)
            s += "<g class=\"condition c\(i % 8)\" data-condition=\"\(HtmlText.escape(column.condition))\">"
            s += "<text class=\"tick\" x=\"\(HtmlText.coord(center))\" y=\"\(HtmlText.coord(top + plotHeight + 18))\" text-anchor=\"middle\">\(HtmlText.escape(column.condition))</text>"
            s += "<text class=\"tick small\" x=\"\(HtmlText.coord(center))\" y=\"\(HtmlText.coord(top + plotHeight + 34))\" text-anchor=\"middle\">n = \(column.values.count)</text>"
            let stats = MetricStats(column.values.map(\.value))
            if column.values.count > Self.pointLimit {
                s += histogram(column.values.map(\.value), center: center, scale: scale)
            } else {
                s += points(column, center: center, scale: scale)
            }
            s += box(stats, center: center, scale: scale)
            s += "</g>"
        }
        s += "</svg>"
        return s
    }

    /// One circle per replicate, spread sideways by a fixed per-replicate offset so the drawing
    /// is the same on every render.
    func points(_ column: (condition: String, values: [(replicate: Int, value: Double)]), center: Double, scale: PlotScale) -> String {
        var s = ""
        for (r, v) in column.values {
            var h = UInt64(truncatingIfNeeded: r) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            let jitter = (Double(h % 1000) / 1000 - 0.5) * 36
            s += "<circle class=\"pt\" data-condition=\"\(HtmlText.escape(column.condition))\" data-replicate=\"\(r)\" cx=\"\(HtmlText.coord(center - 22 + jitter))\" cy=\"\(HtmlText.coord(scale.pixel(v)))\" r=\"3.2\"><title>replicate \(r): \(HtmlText.number(v))</title></circle>"
        }
        return s
    }

    /// Horizontal bars, one per value bin, left of the box: the shape of a large sample.
    func histogram(_ values: [Double], center: Double, scale: PlotScale) -> String {
        let bins = 30
        var counts = Array(repeating: 0, count: bins)
        for v in values where v.isFinite {
            let b = Int(((v - scale.low) / (scale.high - scale.low) * Double(bins)).rounded(.down))
            counts[min(max(b, 0), bins - 1)] += 1
        }
        let most = Double(counts.max() ?? 1)
        var s = "<g class=\"histogram\">"
        for (b, c) in counts.enumerated() where c > 0 {
            let lo = scale.low + (scale.high - scale.low) * Double(b) / Double(bins)
            let hi = scale.low + (scale.high - scale.low) * Double(b + 1) / Double(bins)
            let w = 40 * Double(c) / most
            s += "<rect class=\"bin\" x=\"\(HtmlText.coord(center - 8 - w))\" y=\"\(HtmlText.coord(scale.pixel(hi)))\" width=\"\(HtmlText.coord(w))\" height=\"\(HtmlText.coord(max(scale.pixel(lo) - scale.pixel(hi), 0.5)))\"><title>\(c) values in [\(HtmlText.number(lo)), \(HtmlText.number(hi)))</title></rect>"
        }
        return s + "</g>"
    }

    /// The box and whiskers, and the mean with its interval to its right.
    func box(_ st: MetricStats, center: Double, scale: PlotScale) -> String {
        guard st.n > 0 else { return "" }
        let x = center + 8, w = 26.0
        let y = { (v: Double) in HtmlText.coord(scale.pixel(v)) }
        var s = "<g class=\"box\"><title>median \(HtmlText.number(st.median)), quartiles \(HtmlText.number(st.q1))–\(HtmlText.number(st.q3)), range \(HtmlText.number(st.min))–\(HtmlText.number(st.max))</title>"
        s += "<line class=\"whisker\" x1=\"\(HtmlText.coord(x + w / 2))\" x2=\"\(HtmlText.coord(x + w / 2))\" y1=\"\(y(st.min))\" y2=\"\(y(st.max))\"/>"
        s += "<rect class=\"iqr\" x=\"\(HtmlText.coord(x))\" y=\"\(y(st.q3))\" width=\"\(HtmlText.coord(w))\" height=\"\(HtmlText.coord(max(scale.pixel(st.q1) - scale.pixel(st.q3), 1)))\"/>"
        s += "<line class=\"median\" x1=\"\(HtmlText.coord(x))\" x2=\"\(HtmlText.coord(x + w))\" y1=\"\(y(st.median))\" y2=\"\(y(st.median))\"/></g>"
        let mx = x + w + 14
        s += "<g class=\"mean\"><title>mean \(HtmlText.number(st.mean)), 95% interval \(HtmlText.number(st.ciLow))–\(HtmlText.number(st.ciHigh))</title>"
        if st.ciLow.isFinite { s += "<line class=\"interval\" x1=\"\(HtmlText.coord(mx))\" x2=\"\(HtmlText.coord(mx))\" y1=\"\(y(st.ciLow))\" y2=\"\(y(st.ciHigh))\"/>" }
        s += "<rect class=\"mean-mark\" x=\"\(HtmlText.coord(mx - 4))\" y=\"\(HtmlText.coord(scale.pixel(st.mean) - 4))\" width=\"8\" height=\"8\" transform=\"rotate(45 \(HtmlText.coord(mx)) \(y(st.mean)))\"/></g>"
        return s
    }
}
