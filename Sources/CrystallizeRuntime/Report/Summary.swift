import Foundation

/// The human-readable summary printed after a run (or by `show`).
public enum Summary {
    /// Per condition and metric: n, mean, sd; per hypothesis: each treatment and the best.
    public static func render(_ r: RunResult) -> String {
        var lines: [String] = []
        let how = r.loadedFromDisk ? "loaded from disk (resume)" : "ran \(r.executedConditions) replicate-condition(s) in \(String(format: "%.2f", r.elapsed)) s"
        lines.append("\(r.experiment) — v\(r.version), \(r.replicates) replicate(s), \(how)")
        if let reason = r.rerunReason { lines.append("resume re-ran because \(reason)") }
        if !r.settings.isEmpty { lines.append("set: \(r.settings.joined(separator: ", "))") }
        if let t = r.toggles.summaryLine { lines.append(t) }
        var rows: [[String]] = [["condition", "metric", "n", "mean", "sd"]]
        for (c, metrics) in r.metrics {
            if metrics.isEmpty { rows.append([c, "-", "0", "-", "-"]) }
            for (name, values) in metrics {
                var s = RunningSummary()
                for v in values { if let d = v.asDouble { s.add(d) } }
                rows.append([c, name, "\(s.n)", fmt(s.mean), s.n > 1 ? fmt(s.standardDeviation) : "-"])
            }
        }
        lines.append(table(rows))
        let total = r.cacheHits + r.cacheMisses
        if total > 0 { lines.append(String(format: "cache hit rate: %.1f%% (%d of %d step calls)", 100 * Double(r.cacheHits) / Double(total), r.cacheHits, total)) }
        for h in r.hypotheses {
            lines.append("")
            lines.append("hypothesis \(h.name) (\(h.verifier) on \(h.metricGroups.map { $0.joined(separator: "+") }.joined(separator: ", ")))")
            let paired = h.results.values.contains { $0.contains { $0["pairs"] != nil } }
            var hrows: [[String]] = [["treatment", "p_value", "significant", "effect (95% CI)"] + (paired ? ["pairs"] : []) + ["rank"]]
            for (t, groups) in h.results {
                let p = groups.compactMap { $0["p_value"]?.asDouble }.map(fmt).joined(separator: ", ")
                let sig = groups.map { $0["significant"] == .bool(true) ? "yes" : "no" }.joined(separator: ", ")
                let effect = groups.map { effectText($0["effect"]) }.joined(separator: ", ")
                let pairs = groups.map { g -> String in
                    guard case .int(let used)? = g["pairs"] else { return "-" }
                    let left = g["pairs_left_out"]?.asDouble.map { Int($0) } ?? 0
                    return left > 0 ? "\(used) (\(left) left out)" : "\(used)"
                }.joined(separator: ", ")
                let rank = h.ranking.firstIndex(of: t).map { "\($0 + 1)" } ?? "-"
                hrows.append([t, p, sig, effect] + (paired ? [pairs] : []) + [rank])
            }
            lines.append(table(hrows))
            lines.append("best: \(h.best ?? "none")")
        }
        if !r.failures.isEmpty {
            lines.append("")
            lines.append("\(r.failures.count) failure(s):")
            for f in r.failures.prefix(20) {
                lines.append("  replicate \(f.replicate), \(f.condition), step \(f.failure?.step ?? "?"): \(f.failure?.message ?? "")")
            }
            if r.failures.count > 20 { lines.append("  … and \(r.failures.count - 20) more (see results.json)") }
        }
        if r.retried > 0 || (!r.failures.isEmpty && r.stoppedByFailFast) {
            lines.append("retried: \(r.retried) (replicate, condition) run(s); finally failed: \(r.failures.count)")
        }
        if r.stoppedByFailFast { lines.append("fail-fast: stopped scheduling at the first failure with no retry left; finished replicates are saved; run again with --strategy resume to complete") }
        if r.status == .cancelled { lines.append("cancelled: finished replicates are saved; run again with --strategy resume to complete") }
        lines.append("results: \(r.versionDirectory)")
        return lines.joined(separator: "\n")
    }

    /// "+30.00 [29.10, 30.90]": the mean difference and its confidence interval.
    static func effectText(_ v: Value?, number: (Double) -> String = fmt) -> String {
        guard case .map(let e)? = v, let d = e["mean_difference"]?.asDouble else { return "-" }
        let sign = d > 0 ? "+" : ""
        let low = e["ci_low"]?.asDouble ?? .nan, high = e["ci_high"]?.asDouble ?? .nan
        return "\(sign)\(number(d)) [\(number(low)), \(number(high))]"
    }

    static func fmt(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d != 0 && (abs(d) < 1e-3 || abs(d) >= 1e6) { return String(format: "%.3e", d) }
        return String(format: "%.4f", d)
    }

    /// Left-aligned columns separated by two spaces.
    public static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in r.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
    }
}
