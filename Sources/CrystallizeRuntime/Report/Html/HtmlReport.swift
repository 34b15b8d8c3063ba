import Foundation

/// `crystallize-host report`: one self-contained HTML file for a stored run — plots as inline
/// SVG, styles inline, no script, no external URL — readable offline, attachable to an email,
/// in light and dark mode.
public enum HtmlReport {
    /// The report of `run` as an HTML document.
    public static func render(_ run: StoredRun, links: [(title: String, href: String)] = []) -> String {
        var body = "<header><h1>\(HtmlText.escape(run.experiment)) <span class=\"muted\">v\(run.version)</span></h1>"
        body += "<p class=\"muted\">\(HtmlText.escape(run.status)), \(run.replicates) replicate(s), conditions: \(HtmlText.escape(run.conditions.joined(separator: ", ")))"
        if let g = run.git { body += " · git \(HtmlText.escape(g.summary))" }
        body += "</p>"
        if !links.isEmpty { body += "<nav>" + links.map { "<a href=\"\(HtmlText.escape($0.href))\">\(HtmlText.escape($0.title))</a>" }.joined() + "</nav>" }
        body += "</header>"
        if let optimization = OptimizationReportSection.render(versionDirectory: run.directory) { body += optimization }
        body += "<section id=\"metrics\"><h2>Metrics</h2>"
        if run.metricNames.isEmpty { body += "<p class=\"muted\">No metrics were recorded.</p>" }
        body += "<p class=\"note\">One point per replicate; the box spans the quartiles with the median, whiskers reach the smallest and largest value; the diamond is the mean with its 95% interval.</p><div class=\"plots\">"
        var unplotted: [String] = []
        for m in run.metricNames {
            let columns = run.conditions.map { ($0, run.values(m, condition: $0)) }
            // A metric of strings or arrays has no axis to draw it on.
            guard columns.contains(where: { !$0.1.isEmpty }) else { unplotted.append(m); continue }
            let plot = SvgMetricPlot(metric: m, columns: columns)
            body += "<figure>\(plot.render())<figcaption>\(HtmlText.escape(m))"
            if plot.summarised { body += " — above \(SvgMetricPlot.pointLimit) values in a condition, the points are summarised as a histogram with the box (quantiles)" }
            body += "</figcaption></figure>"
        }
        body += "</div>"
        if !unplotted.isEmpty { body += "<p class=\"note\">Not plotted (no numeric values): \(HtmlText.escape(unplotted.joined(separator: ", ")))</p>" }
        body += ReportSections.metricsTable(run)
        if run.source != "journal" { body += "<p class=\"note\">This run has no checkpoint journal; values come from results.json in replicate order (replicate numbers are positions).</p>" }
        body += "</section>"
        body += "<section id=\"hypotheses\"><h2>Hypotheses</h2>\(ReportSections.hypotheses(run))</section>"
        body += "<section id=\"failures\"><h2>Failures</h2>\(ReportSections.failures(run))</section>"
        body += "<section id=\"timeline\"><h2>Replicate durations</h2>"
        body += run.timings.isEmpty ? "<p class=\"muted\">No per-replicate timings: the run left no event log in its folder (run it with <code>--events FILE</code> and pass <code>report --events FILE</code>).</p>"
                                    : "<figure>\(SvgTimeline.render(run.timings, conditions: run.conditions))<figcaption>each bar is one replicate of one condition, from start to end</figcaption></figure>"
        body += "</section>"
        let graph = StoredGraph.of(run)
        if graph.isGraph { body += "<section id=\"graph\"><h2>Experiment graph</h2><figure>\(SvgDag.render(graph))<figcaption>upstream experiments (and the versions read) feeding this run</figcaption></figure></section>" }
        body += "<section id=\"provenance\"><h2>Provenance</h2>\(ReportSections.provenance(run))</section>"
        body += "<footer class=\"note\">Written by crystallize-host \(HtmlText.escape(HostInfo.version)) from \(HtmlText.escape(run.directory)) at \(HtmlText.escape(HostInfo.now())).</footer>"
        return page(title: "\(run.experiment) v\(run.version) — report", body: body)
    }

    /// An HTML page with the report's stylesheet; no script, no external resource.
    public static func page(title: String, body: String, head: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>\(HtmlText.escape(title))</title><style>\(ReportStyle.css)</style>\(head)</head>
        <body>\(body)</body></html>
        """
    }

    /// Writes the report of the run in `versionDirectory` to `output` (default
    /// `<versionDirectory>/report.html`) atomically; returns the path written.
    @discardableResult
    public static func write(versionDirectory: String, output: String?, eventLogs: [String] = []) throws -> String {
        let run = try StoredRun.load(directory: versionDirectory, eventLogs: eventLogs)
        let path = output ?? "\(versionDirectory)/report.html"
        try AtomicFile.write(path, text: render(run))
        return path
    }
}
