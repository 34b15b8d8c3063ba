import Foundation

/// The Summary tab: per condition the metrics (mean, sd) and a replicate's elapsed time, then
/// each hypothesis with its p-values and effect sizes, and the best treatment.
enum RunScreenSummary {
    static func lines(_ model: RunScreenModel, _ view: RunScreenViewState, width: Int) -> [ScreenLine] {
        guard let e = model.focus else { return [] }
        var out: [ScreenLine] = [[Span(" \(e.name)", .bold), Span(e.version.map { " v\($0)" } ?? "")]]
        guard let r = view.results[e.name] else {
            out.append([Span(model.running ? " running: metrics appear when the run finishes" : " no results yet: press R to run", .dim)])
            out += elapsedRows(e)
            return out
        }
        var rows: [[String]] = [["condition", "metric", "n", "mean", "sd"]]
        for (c, metrics) in r.metrics {
            for (name, values) in metrics {
                var s = RunningSummary()
                values.compactMap(\.asDouble).forEach { s.add($0) }
                rows.append([c, name, "\(s.n)", Summary.fmt(s.mean), s.n > 1 ? Summary.fmt(s.standardDeviation) : "-"])
            }
        }
        out += Summary.table(rows).split(separator: "\n").enumerated().map { i, l in [Span(" " + l, i == 0 ? .dim : .normal)] }
        out += elapsedRows(e)
        for h in r.hypotheses {
            out.append([])
            out.append([Span(" hypothesis \(h.name)", .bold), Span(" (\(h.verifier) on \(h.metricGroups.map { $0.joined(separator: "+") }.joined(separator: ", ")))", .dim)])
            var hrows: [[String]] = [["treatment", "p_value", "significant", "effect (95% CI)"]]
            for (t, groups) in h.results {
                let p = groups.compactMap { $0["p_value"]?.asDouble }.map(Summary.fmt).joined(separator: ",")
                let effects = groups.enumerated().map { g, result -> String in
                    // The engine's effect (mean difference and its interval, paired or Welch as
                    // the verifier), as the printed summary shows it; else the verifier's own
                    // number; else Cohen's d from the metrics.
                    if case .map(let e)? = result["effect"], e["mean_difference"]?.asDouble != nil { return Summary.effectText(result["effect"], number: compact) }
                    if let d = ["effect_size", "cohens_d", "mean_difference", "effect"].lazy.compactMap({ result[$0]?.asDouble }).first { return Summary.fmt(d) }
                    let metric = h.metricGroups.indices.contains(g) ? h.metricGroups[g].first : nil
                    return metric.flatMap { cohensD(r, baseline: r.conditions.first ?? "baseline", treatment: t, metric: $0) }.map { "d=" + Summary.fmt($0) } ?? "-"
                }
                let sig = groups.map { $0["significant"] == .bool(true) ? "yes" : "no" }.joined(separator: ",")
                hrows.append([t, p.isEmpty ? "-" : p, sig, effects.joined(separator: ",")])
            }
            out += Summary.table(hrows).split(separator: "\n").enumerated().map { i, l in [Span(" " + l, i == 0 ? .dim : .normal)] }
            out.append([Span(" best: "), Span(h.best ?? "none", .green)])
        }
        if let t = r.toggles.summaryLine { out.append([Span(" " + t, .dim)]) }
        if !r.settings.isEmpty { out.append([Span(" set: " + r.settings.joined(separator: ", "), .dim)]) }
        return out
    }

    /// Four significant digits ("+30 [28.35, 31.65]" for an effect): the tab is narrower than
    /// the printed summary, which keeps four decimals.
    static func compact(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : Summary.fmt(x) }

    /// Per condition: how long one replicate took (mean and sd) in this run.
    static func elapsedRows(_ e: RunScreenModel.ExperimentRow) -> [ScreenLine] {
        let timed = e.conditions.filter { $0.elapsedMean != nil }
        guard !timed.isEmpty else { return [] }
        var rows: [[String]] = [["condition", "replicates", "elapsed mean", "sd"]]
        for c in timed {
            rows.append([c.name, "\(c.finished + c.failed)", RunScreenFormat.duration(c.elapsedMean!), c.elapsedSD.map(RunScreenFormat.duration) ?? "-"])
        }
        var out: [ScreenLine] = [[]]
        out += Summary.table(rows).split(separator: "\n").enumerated().map { i, l in [Span(" " + l, i == 0 ? .dim : .normal)] }
        let per = e.replicateElapsed.sorted { $0.key < $1.key }.prefix(8).map { "r\($0.key) \(RunScreenFormat.duration($0.value))" }
        if !per.isEmpty { out.append([Span(" per replicate: " + per.joined(separator: "  ") + (e.replicateElapsed.count > 8 ? " …" : ""), .dim)]) }
        return out
    }

    /// Cohen's d of `metric` between treatment and baseline (pooled sd), when the verifier
    /// reports no effect size of its own.
    static func cohensD(_ r: RunResult, baseline: String, treatment: String, metric: String) -> Double? {
        func summary(_ c: String) -> RunningSummary? {
            guard let values = r.metrics[c]?[metric] else { return nil }
            var s = RunningSummary()
            values.compactMap(\.asDouble).forEach { s.add($0) }
            return s.n > 1 ? s : nil
        }
        guard let b = summary(baseline), let t = summary(treatment) else { return nil }
        let pooled = (((Double(b.n) - 1) * b.variance + (Double(t.n) - 1) * t.variance) / Double(b.n + t.n - 2)).squareRoot()
        return pooled > 0 ? (t.mean - b.mean) / pooled : nil
    }
}
