/// What every plot of the report draws the same way: the opening tag, and the value axis
/// (horizontal grid lines with tick labels, the two axis lines, the rotated metric label).
enum SvgAxes {
    /// The `<svg>` opening tag of a plot of `width` × `height` with `attributes` (already
    /// escaped, e.g. `data-metric="total"`) and its title.
    static func open(width: Double, height: Double, attributes: String, title: String) -> String {
        let w = HtmlText.coord(width), h = HtmlText.coord(height)
        return "<svg class=\"plot\" role=\"img\" \(attributes) viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\"><title>\(HtmlText.escape(title))</title>"
    }

    /// The value axis of a plot area from `left` to `right` and `top` to `top + plotHeight`.
    static func valueAxis(_ scale: PlotScale, left: Double, right: Double, top: Double, plotHeight: Double, label: String) -> String {
        var s = ""
        for t in scale.ticks {
            let y = HtmlText.coord(scale.pixel(t))
            s += "<line class=\"grid\" x1=\"\(HtmlText.coord(left))\" x2=\"\(HtmlText.coord(right))\" y1=\"\(y)\" y2=\"\(y)\"/>"
            s += "<text class=\"tick\" x=\"\(HtmlText.coord(left - 6))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(PlotScale.label(t))</text>"
        }
        s += "<line class=\"axis\" x1=\"\(HtmlText.coord(left))\" x2=\"\(HtmlText.coord(left))\" y1=\"\(HtmlText.coord(top))\" y2=\"\(HtmlText.coord(top + plotHeight))\"/>"
        s += "<line class=\"axis\" x1=\"\(HtmlText.coord(left))\" x2=\"\(HtmlText.coord(right))\" y1=\"\(HtmlText.coord(top + plotHeight))\" y2=\"\(HtmlText.coord(top + plotHeight))\"/>"
        s += "<text class=\"axis-label\" transform=\"translate(14 \(HtmlText.coord(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(HtmlText.escape(label))</text>"
        return s
    }
}
