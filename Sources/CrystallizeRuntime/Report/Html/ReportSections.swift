import Foundation
import OrderedCollections

/// The report's sections other than the plots, each a piece of HTML built from a `StoredRun`.
enum ReportSections {
    /// Each hypothesis: verifier, metrics, per treatment p-value, significance, effect size with
    /// its interval and rank; then the best treatment.
    static func hypotheses(_ run: StoredRun) -> String {
        guard !run.hypotheses.isEmpty else { return "<p class=\"muted\">No hypotheses in this run.</p>" }
        var s = ""
        for h in run.hypotheses {
            let name = h.string("name") ?? "?"
            let groups: [[String]]
            if case .list(let gs)? = h["metrics"] { groups = gs.map { if case .list(let l) = $0 { return l.compactMap { if case .string(let x) = $0 { return x }; return nil } }; return [] } } else { groups = [] }
            let ranking = h.map("ranking")?.strings("order") ?? []
            s += "<h3>\(HtmlText.escape(name))</h3><p>verifier <code>\(HtmlText.escape(h.string("verifier") ?? "?"))</code> on \(HtmlText.escape(groups.map { $0.joined(separator: " + ") }.joined(separator: "; "))), ranked by <code>\(HtmlText.escape(h.string("ranker") ?? "p_value"))</code> (lower is better)</p>"
            let paired = resultMaps(h).contains { $0["pairs"] != nil }
            s += "<table class=\"hypothesis\" data-hypothesis=\"\(HtmlText.escape(name))\"><tr><th>treatment</th><th>metrics</th><th>p-value</th><th>significant</th><th>effect (treatment − baseline)</th><th>95% interval</th>\(paired ? "<th>pairs</th>" : "")<th>rank</th></tr>"
            for (t, value) in h.map("results") ?? [:] {
                for (gi, r) in resultMaps(value).enumerated() {
                    let group = gi < groups.count ? groups[gi] : []
                    let (effect, low, high, how) = effectSize(r, run: run, group: group, treatment: t)
                    let sig = r["significant"] == .bool(true)
                    let rank = ranking.firstIndex(of: t).map { "\($0 + 1)" } ?? "–"
                    s += "<tr><td>\(HtmlText.escape(t))</td><td>\(HtmlText.escape(group.joined(separator: " + ")))</td><td class=\"num\">\(HtmlText.number(r["p_value"]?.asDouble ?? .nan))</td>"
                    s += "<td class=\"\(sig ? "yes" : "no")\">\(sig ? "yes" : "no")</td><td class=\"num\">\(HtmlText.number(effect))<span class=\"note\"> \(HtmlText.escape(how))</span></td>"
                    s += "<td class=\"num\">\(HtmlText.number(low)) … \(HtmlText.number(high))</td>\(paired ? "<td class=\"num pairs\">\(HtmlText.escape(pairsText(r) ?? "–"))</td>" : "")<td class=\"num\">\(rank)</td></tr>"
                    if let e = r.string("error") { s += "<tr><td colspan=\"\(paired ? 8 : 7)\" class=\"bad\">\(HtmlText.escape(e))</td></tr>" }
                }
            }
            s += "</table><p>best: <strong>\(HtmlText.escape(h.map("ranking")?.string("best") ?? "none"))</strong></p>"
        }
        return s
    }

    /// The verifier's own effect size and interval when it reported them; otherwise the effect
    /// the host stored with the hypothesis (issue 13: paired or Welch, matching the verifier).
    /// Only a run written before stored effects existed gets a Welch interval computed here,
    /// and the note says so.
    static func effectSize(_ r: OrderedDictionary<String, Value>, run: StoredRun, group: [String], treatment: String) -> (Double, Double, Double, String) {
        for key in ["effect_size", "effect", "mean_difference", "cohens_d"] {
            if let e = r[key]?.asDouble {
                let low = r["effect_ci_low"]?.asDouble ?? r["ci_low"]?.asDouble ?? .nan
                let high = r["effect_ci_high"]?.asDouble ?? r["ci_high"]?.asDouble ?? .nan
                return (e, low, high, "(\(key), verifier)")
            }
        }
        let stored = storedEffect(r)
        if let low = r["ci_low"]?.asDouble, let high = r["ci_high"]?.asDouble {
            let d = stored?.difference ?? MetricStats.meanDifference(baseline: pooled(run, group, "baseline"), treatment: pooled(run, group, treatment)).difference
            return (d, low, high, "(mean difference; verifier's interval)")
        }
        if let stored { return (stored.difference, stored.low, stored.high, "(mean difference, \(stored.kind) interval)") }
        let d = MetricStats.meanDifference(baseline: pooled(run, group, run.conditions.first ?? "baseline"), treatment: pooled(run, group, treatment))
        return (d.difference, d.low, d.high, "(mean difference, Welch interval computed by the report: this run predates stored effects)")
    }

    /// The host's effect kept with a result: "effect", or "host_effect" when a plugin verifier
    /// used the name "effect" for its own value.
    static func storedEffect(_ r: OrderedDictionary<String, Value>) -> MeanDifferenceInterval? {
        for key in ["effect", "host_effect"] {
            guard case .map(let e)? = r[key], let d = e["mean_difference"]?.asDouble else { continue }
            return MeanDifferenceInterval(difference: d, low: e["ci_low"]?.asDouble ?? .nan, high: e["ci_high"]?.asDouble ?? .nan,
                                          confidence: e["confidence"]?.asDouble ?? 0.95, kind: e.string("kind") ?? "stored")
        }
        return nil
    }

    /// One treatment's results: a map for one metric group, a list of maps for several.
    static func resultMaps(_ value: Value) -> [OrderedDictionary<String, Value>] {
        switch value {
        case .map(let m): return [m]
        case .list(let l): return l.compactMap { if case .map(let m) = $0 { return m }; return nil }
        default: return []
        }
    }

    /// Every result of a hypothesis, over all treatments and metric groups.
    static func resultMaps(_ h: OrderedDictionary<String, Value>) -> [OrderedDictionary<String, Value>] {
        (h.map("results") ?? [:]).values.flatMap { resultMaps($0) }
    }

    /// "6 (2 left out)" for a paired verifier's result, nil for an unpaired one.
    static func pairsText(_ r: OrderedDictionary<String, Value>) -> String? {
        guard let used = r["pairs"]?.asDouble else { return nil }
        let left = Int(r["pairs_left_out"]?.asDouble ?? 0)
        return "\(Int(used))" + (left > 0 ? " (\(left) left out)" : "")
    }

    /// The values of every metric of `group` in `condition`, pooled as verifiers receive them.
    static func pooled(_ run: StoredRun, _ group: [String], _ condition: String) -> [Double] {
        group.flatMap { m in run.rows.filter { $0.condition == condition }.flatMap { ($0.metrics[m] ?? []).compactMap(\.asDouble) } }
    }

    /// Failures: replicate, condition, step, message.
    static func failures(_ run: StoredRun) -> String {
        guard !run.failures.isEmpty else { return "<p class=\"muted\">No failures.</p>" }
        var s = "<table class=\"failures\"><tr><th>replicate</th><th>condition</th><th>step</th><th>message</th></tr>"
        for f in run.failures.prefix(500) {
            s += "<tr class=\"failure\"><td class=\"num\">\(f.replicate)</td><td>\(HtmlText.escape(f.condition))</td><td><code>\(HtmlText.escape(f.step))</code></td><td class=\"mono\">\(HtmlText.escape(f.message))</td></tr>"
        }
        s += "</table>"
        if run.failures.count > 500 { s += "<p class=\"note\">\(run.failures.count - 500) more failures are not listed.</p>" }
        return s
    }

    /// The metrics table: n, mean, sd, 95% interval per condition and metric.
    static func metricsTable(_ run: StoredRun) -> String {
        var s = "<table class=\"metrics\"><tr><th>metric</th><th>condition</th><th>n</th><th>mean</th><th>sd</th><th>95% interval of the mean</th></tr>"
        for m in run.metricNames {
            for c in run.conditions {
                let st = MetricStats(run.values(m, condition: c).map(\.value))
                s += "<tr><td>\(HtmlText.escape(m))</td><td>\(HtmlText.escape(c))</td><td class=\"num\">\(st.n)</td><td class=\"num\">\(HtmlText.number(st.mean))</td><td class=\"num\">\(HtmlText.number(st.sd))</td><td class=\"num\">\(HtmlText.number(st.ciLow)) … \(HtmlText.number(st.ciHigh))</td></tr>"
            }
        }
        return s + "</table>"
    }

    /// Provenance: host, plugins and their sha256, config hash, seed and streams, execution, git, times.
    static func provenance(_ run: StoredRun) -> String {
        let p = run.provenance, m = run.metadata
        func row(_ k: String, _ v: String, mono: Bool = false) -> String { "<tr><th>\(HtmlText.escape(k))</th><td\(mono ? " class=\"mono\"" : "")>\(HtmlText.escape(v))</td></tr>" }
        var s = "<table class=\"provenance\">"
        s += row("experiment", "\(run.experiment) v\(run.version)")
        s += row("status", run.status + (p.string("outcome").map { " (outcome: \($0))" } ?? ""))
        if let host = p.map("host") { s += row("host", "crystallize-host \(host.string("version") ?? "?"), ABI \(host.string("abi") ?? "?"), on \(host.string("hostname") ?? "?")") }
        if let c = p.map("config") { s += row("config", "\(c.string("path") ?? "?")") ; s += row("config sha256", c.string("sha256") ?? "?", mono: true) }
        else if let c = m.string("config_sha256") { s += row("config sha256", c, mono: true) }
        s += row("seed", HtmlText.value(m["seed"] ?? p["seed"]))
        s += row("replicate seeds", p.string("seed_rule") ?? "(seed + replicate * 31337) mod 2^32")
        let streams = HtmlText.value(p["random_streams"] ?? m["random_streams"] ?? .string("not recorded (a run of an older host)"))
        s += row("random streams", streams + (p.string("random_stream_rule").map { ": \($0)" } ?? ""))
        s += row("replicates", HtmlText.value(m["replicates"]))
        if let e = p.map("execution") { s += row("execution", "\(e.string("strategy") ?? "?"), \(HtmlText.value(e["workers"])) worker(s)") }
        if let g = run.git {
            s += row("git commit", g.commit + (g.branch.map { " on \($0)" } ?? ""), mono: true)
            s += row("git tree", g.dirty ? "dirty: \(g.modifiedCount) modified file(s): \(g.modified.joined(separator: ", "))\(g.modifiedCount > g.modified.count ? ", …" : "")" : "clean")
        } else { s += row("git", "not in a git repository") }
        s += row("started", m.string("started") ?? p.string("started") ?? "–")
        s += row("finished", m.string("finished") ?? p.string("finished") ?? "–")
        if let c = p.map("cache") { s += row("step cache", c["enabled"] == .bool(true) ? "on: \(HtmlText.value(c["hits"])) hits, \(HtmlText.value(c["misses"])) misses" : "off") }
        s += "</table>"
        if case .list(let plugins)? = p["plugins"], !plugins.isEmpty {
            s += "<table class=\"plugins\"><tr><th>plugin</th><th>version</th><th>sha256</th><th>path</th></tr>"
            for case .map(let pl) in plugins {
                s += "<tr><td>\(HtmlText.escape(pl.string("name") ?? "?"))</td><td>\(HtmlText.escape(pl.string("version") ?? "?"))</td><td class=\"mono\">\(HtmlText.escape(pl.string("sha256") ?? "?"))</td><td class=\"mono\">\(HtmlText.escape(pl.string("path") ?? "?"))</td></tr>"
            }
            s += "</table>"
        }
        if case .map(let t)? = m["treatments"] {
            s += "<table class=\"treatments\"><tr><th>condition</th><th>context additions</th></tr>"
            for (c, v) in t { s += "<tr><td>\(HtmlText.escape(c))</td><td class=\"mono\">\(HtmlText.escape(JSONText.encode(v)))</td></tr>" }
            s += "</table>"
        }
        return s
    }
}
