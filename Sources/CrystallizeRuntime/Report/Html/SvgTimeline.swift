import Foundation

/// Per-replicate durations over the run: a bar per (replicate, condition) from its start to its
/// end on a shared time axis, one lane per condition; a failed one is marked.
enum SvgTimeline {
    static func render(_ timings: [ReplicateTiming], conditions: [String]) -> String {
        guard let first = timings.map({ $0.finished - $0.duration }).min(), let last = timings.map(\.finished).max() else { return "" }
        let lanes = conditions + timings.map(\.condition).filter { !conditions.contains($0) }
        let left = 110.0, top = 10.0, laneHeight = 22.0, plotWidth = 640.0
        let height = top + laneHeight * Double(lanes.count) + 40
        let x = PlotScale(covering: [0, last - first], pixels: (left, left + plotWidth))
        var s = "<svg class=\"timeline\" role=\"img\" viewBox=\"0 0 \(HtmlText.coord(left + plotWidth + 20)) \(HtmlText.coord(height))\" width=\"\(HtmlText.coord(left + plotWidth + 20))\" height=\"\(HtmlText.coord(height))\"><title>replicate durations over the run</title>"
        let axisY = top + laneHeight * Double(lanes.count)
        for t in x.ticks {
            s += "<line class=\"grid\" x1=\"\(HtmlText.coord(x.pixel(t)))\" x2=\"\(HtmlText.coord(x.pixel(t)))\" y1=\"\(HtmlText.coord(top))\" y2=\"\(HtmlText.coord(axisY))\"/>"
            s += "<text class=\"tick\" x=\"\(HtmlText.coord(x.pixel(t)))\" y=\"\(HtmlText.coord(axisY + 14))\" text-anchor=\"middle\">\(PlotScale.label(t))</text>"
        }
        s += "<text class=\"axis-label\" x=\"\(HtmlText.coord(left + plotWidth / 2))\" y=\"\(HtmlText.coord(axisY + 32))\" text-anchor=\"middle\">seconds since the first replicate started</text>"
        for (i, lane) in lanes.enumerated() {
            let y = top + laneHeight * Double(i)
            s += "<text class=\"tick\" x=\"\(HtmlText.coord(left - 8))\" y=\"\(HtmlText.coord(y + laneHeight / 2))\" text-anchor=\"end\" dominant-baseline=\"middle\">\(HtmlText.escape(lane))</text>"
            s += "<g class=\"condition c\(i % 8)\">"
            for t in timings where t.condition == lane {
                let x0 = x.pixel(t.finished - t.duration - first), x1 = x.pixel(t.finished - first)
                s += "<rect class=\"span\(t.succeeded ? "" : " failed")\" data-replicate=\"\(t.replicate)\" x=\"\(HtmlText.coord(x0))\" y=\"\(HtmlText.coord(y + 4))\" width=\"\(HtmlText.coord(max(x1 - x0, 1)))\" height=\"\(HtmlText.coord(laneHeight - 8))\"><title>replicate \(t.replicate): \(HtmlText.number(t.duration)) s\(t.succeeded ? "" : ", failed")</title></rect>"
            }
            s += "</g>"
        }
        s += "<line class=\"axis\" x1=\"\(HtmlText.coord(left))\" x2=\"\(HtmlText.coord(left + plotWidth))\" y1=\"\(HtmlText.coord(axisY))\" y2=\"\(HtmlText.coord(axisY))\"/>"
        return s + "</svg>"
    }
}
