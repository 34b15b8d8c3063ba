import Foundation

/// An optimization's objective against trial: one point per evaluation in the order run (a
/// candidate that halving extends appears once per round), its standard error as a bar, the
/// best trial ringed and the running best as a step line.
struct SvgOptimizationPlot {
    /// Per evaluation: trial name, round, objective mean and standard error.
    let points: [(trial: String, round: Int, objective: Double, standardError: Double?)]
    let metric: String
    let bestTrial: String?
    let minimize: Bool

    func render() -> String {
        let left = 64.0, top = 16.0, plotHeight = 220.0, plotWidth = max(320.0, min(900.0, 14.0 * Double(points.count)))
        let width = left + plotWidth + 16, height = top + plotHeight + 44
        let ys = points.flatMap { p in [p.objective - (p.standardError ?? 0), p.objective + (p.standardError ?? 0)] }
        let scale = PlotScale(covering: ys, pixels: (top + plotHeight, top))
        func x(_ i: Int) -> Double { left + plotWidth * (Double(i) + 0.5) / Double(max(points.count, 1)) }
        var s = SvgAxes.open(width: width, height: height, attributes: "data-plot=\"optimization\"", title: "\(metric) against trial")
        s += SvgAxes.valueAxis(scale, left: left, right: width - 8, top: top, plotHeight: plotHeight, label: metric)
        s += "<text class=\"axis-label\" x=\"\(HtmlText.coord(left + plotWidth / 2))\" y=\"\(HtmlText.coord(top + plotHeight + 36))\" text-anchor=\"middle\">trial evaluation (in the order run)</text>"
        // Running best.
        var best: Double? = nil
        var path = ""
        for (i, p) in points.enumerated() where p.objective.isFinite {
            if best == nil || (minimize ? p.objective < best! : p.objective > best!) { best = p.objective }
            path += (path.isEmpty ? "M" : " L") + "\(HtmlText.coord(x(i))) \(HtmlText.coord(scale.pixel(best!)))"
        }
        if !path.isEmpty { s += "<path class=\"mean\" fill=\"none\" d=\"\(path)\"><title>best so far</title></path>" }
        for (i, p) in points.enumerated() where p.objective.isFinite {
            let cx = HtmlText.coord(x(i)), cy = HtmlText.coord(scale.pixel(p.objective))
            s += "<g class=\"condition c\(p.round % 8)\" data-trial=\"\(HtmlText.escape(p.trial))\">"
            if let se = p.standardError, se.isFinite {
                s += "<line class=\"whisker\" x1=\"\(cx)\" x2=\"\(cx)\" y1=\"\(HtmlText.coord(scale.pixel(p.objective - se)))\" y2=\"\(HtmlText.coord(scale.pixel(p.objective + se)))\"/>"
            }
            s += "<circle class=\"point\" cx=\"\(cx)\" cy=\"\(cy)\" r=\"3.5\"><title>\(HtmlText.escape(p.trial)) (round \(p.round)): \(PlotScale.label(p.objective))</title></circle>"
            if p.trial == bestTrial && i == points.lastIndex(where: { $0.trial == bestTrial }) {
                s += "<circle class=\"best\" cx=\"\(cx)\" cy=\"\(cy)\" r=\"7\" fill=\"none\" stroke=\"currentColor\"/>"
            }
            s += "</g>"
        }
        return s + "</svg>"
    }
}

/// The report's optimization section, from the version folder's optimization.json.
enum OptimizationReportSection {
    static func render(versionDirectory: String) -> String? {
        let path = "\(versionDirectory)/\(OptimizationRecord.fileName)"
        guard FileManager.default.fileExists(atPath: path), let doc = try? JSONText.parseFile(path) else { return nil }
        let spec = doc.mapValue("spec")
        let metric = OptimizationSummary.text(spec?.mapValue("objective")?.mapValue("metric"))
        let direction = OptimizationSummary.text(spec?.mapValue("objective")?.mapValue("direction"))
        var points: [(trial: String, round: Int, objective: Double, standardError: Double?)] = []
        var rows = ""
        if case .list(let trials)? = doc.mapValue("trials") {
            for t in trials {
                let name = OptimizationSummary.text(t.mapValue("trial"))
                let objective = t.mapValue("objective")?.asDouble ?? .nan
                let round = Int(t.mapValue("round")?.asDouble ?? 0)
                points.append((name, round, objective, t.mapValue("standard_error")?.asDouble))
                rows += "<tr><td>\(round)</td><td>\(HtmlText.escape(name))</td><td>\(HtmlText.escape(OptimizationSummary.params(t.mapValue("params"))))</td>"
                rows += "<td>\(HtmlText.escape(OptimizationSummary.text(t.mapValue("replicates"))))</td><td>\(objective.isFinite ? PlotScale.label(objective) : "-")</td></tr>"
            }
        }
        let best = doc.mapValue("best")
        let bestName = best.flatMap { $0 == .null ? nil : OptimizationSummary.text($0.mapValue("trial")) }
        var s = "<section id=\"optimization\"><h2>Optimization</h2>"
        s += "<p>\(HtmlText.escape(OptimizationSummary.text(spec?.mapValue("optimizer")))) — \(HtmlText.escape(direction)) \(HtmlText.escape(metric)), status \(HtmlText.escape(OptimizationSummary.text(doc.mapValue("status"))))"
        if let best, best != .null {
            s += "; best <strong>\(HtmlText.escape(bestName ?? "-"))</strong> \(HtmlText.escape(OptimizationSummary.params(best.mapValue("params")))) = \(best.mapValue("objective")?.asDouble.map(PlotScale.label) ?? "-")"
        }
        s += "</p><figure>\(SvgOptimizationPlot(points: points, metric: metric, bestTrial: bestName, minimize: direction != "maximize").render())"
        s += "<figcaption>objective against trial; bars are ± one standard error; the line is the best so far; the ring marks the best trial</figcaption></figure>"
        s += "<table><thead><tr><th>round</th><th>trial</th><th>params</th><th>replicates</th><th>\(HtmlText.escape(metric))</th></tr></thead><tbody>\(rows)</tbody></table></section>"
        return s
    }
}
