import Foundation
import OrderedCollections

/// `crystallize-host compare`: stored runs side by side, like DVC's `exp show` / `exp diff` —
/// what differs between them (params, treatments, seeds, replicates, plugin binaries, git
/// commits) and each condition's metrics (n, mean, sd) in every run.
public struct RunComparison {
    /// One compared run: its label ("demo@v2") and attributes by column name.
    public struct Entry {
        /// How the run is named in the tables.
        public var label: String
        /// The run.
        public var run: StoredRun
        /// Column name to the value shown ("–" when the run has none).
        public var attributes: OrderedDictionary<String, String>
    }

    /// The runs, in the order given.
    public var entries: [Entry]
    /// Every attribute column, in first-seen order.
    public var columns: [String]

    /// Compares `runs`.
    public init(_ runs: [StoredRun]) {
        let names = runs.map { "\($0.experiment)@v\($0.version)" }
        // The same experiment and version from two data folders: the folders tell them apart.
        let labels = Set(names).count == names.count ? names : runs.map(\.directory)
        entries = zip(runs, labels).map { Entry(label: $1, run: $0, attributes: Self.attributes(of: $0)) }
        var cols = OrderedSet<String>()
        for e in entries { cols.formUnion(e.attributes.keys) }
        columns = Array(cols)
    }

    /// The columns whose values are not the same in every run.
    public var differingColumns: [String] {
        columns.filter { c in Set(entries.map { $0.attributes[c] ?? "–" }).count > 1 }
    }

    /// What is compared about a run. Identity (version, run id, start time) is left out: the
    /// label carries it, and it differs by definition.
    static func attributes(of run: StoredRun) -> OrderedDictionary<String, String> {
        var a = OrderedDictionary<String, String>()
        a["experiment"] = run.experiment
        a["status"] = run.status
        a["replicates"] = "\(run.replicates)"
        a["seed"] = run.metadata["seed"].map(Self.plain) ?? "–"
        if let streams = run.provenance["random_streams"] ?? run.metadata["random_streams"] { a["random_streams"] = HtmlText.value(streams) }
        a["conditions"] = run.conditions.joined(separator: ",")
        if let e = run.provenance.map("execution") { a["execution"] = "\(e.string("strategy") ?? "?")×\(HtmlText.value(e["workers"]))" }
        if case .list(let steps)? = run.provenance["pipeline"] {
            a["steps"] = steps.compactMap { if case .map(let m) = $0 { return m.string("name") }; return nil }.joined(separator: ",")
            for case .map(let s) in steps {
                let step = s.string("name") ?? "?"
                for (k, v) in s.map("params") ?? [:] { a["params.\(step).\(k)"] = Self.plain(v) }
            }
        }
        for (c, v) in run.metadata.map("treatments") ?? [:] where c != "baseline" || v != .map([:]) {
            a["treatment.\(c)"] = JSONText.encode(v)
        }
        if case .list(let plugins)? = run.provenance["plugins"] {
            for case .map(let p) in plugins { a["plugin.\(p.string("name") ?? "?")"] = String((p.string("sha256") ?? "?").prefix(12)) }
        }
        if let g = run.git {
            a["git.commit"] = g.shortCommit
            a["git.dirty"] = g.dirty ? "dirty (\(g.modifiedCount))" : "clean"
        }
        for (k, v) in OptimizationSummary.compareAttributes(versionDirectory: run.directory) { a[k] = v }
        return a
    }

    /// A value as config.yaml would spell it: strings bare, the rest as JSON (3.0 stays 3.0).
    static func plain(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return JSONText.encode(v)
    }

    /// Metric rows: (metric, condition) in first-seen order, with each run's statistics.
    public var metricRows: [(metric: String, condition: String, stats: [MetricStats?])] {
        var keys = OrderedSet<String>()
        var pairs: [(String, String)] = []
        for e in entries {
            for m in e.run.metricNames {
                for c in e.run.conditions where keys.append("\(m)\u{1F}\(c)").inserted { pairs.append((m, c)) }
            }
        }
        return pairs.map { m, c in
            (m, c, entries.map { e in e.run.conditions.contains(c) && e.run.metricNames.contains(m) ? MetricStats(e.run.values(m, condition: c).map(\.value)) : nil })
        }
    }

    /// The two tables as text: what differs (only differing columns unless `all`), then metrics.
    public func renderText(all: Bool) -> String {
        let cols = all ? columns : differingColumns
        var out: [String] = []
        if cols.isEmpty && !all {
            out.append("The runs do not differ in params, treatments, seeds, replicates, plugins or git commit (--all shows every column).")
        } else {
            out.append(Summary.table([["run"] + cols] + entries.map { e in [e.label] + cols.map { e.attributes[$0] ?? "–" } }))
        }
        out.append("")
        var header = ["metric", "condition"]
        for e in entries { header += ["\(e.label) n", "mean", "sd"] }
        var rows = [header]
        for r in metricRows {
            var row = [r.metric, r.condition]
            for s in r.stats { row += s.map { ["\($0.n)", HtmlText.number($0.mean), HtmlText.number($0.sd)] } ?? ["–", "–", "–"] }
            rows.append(row)
        }
        out.append(Summary.table(rows))
        return out.joined(separator: "\n")
    }

    /// The comparison as JSON for scripts: runs with all their attributes, the differing
    /// columns, and the metric statistics.
    public func json() -> Value {
        let runs: [Value] = entries.map { e in
            .map(["label": .string(e.label), "experiment": .string(e.run.experiment), "version": .int(Int64(e.run.version)),
                  "directory": .string(e.run.directory), "attributes": .map(e.attributes.mapValues(Value.string))])
        }
        let metrics: [Value] = metricRows.map { r in
            var per = OrderedDictionary<String, Value>()
            for (e, s) in zip(entries, r.stats) {
                per[e.label] = s.map { .map(["n": .int(Int64($0.n)), "mean": .double($0.mean), "sd": .double($0.sd)]) } ?? .null
            }
            return .map(["metric": .string(r.metric), "condition": .string(r.condition), "runs": .map(per)])
        }
        return .map(["runs": .list(runs), "differs": .list(differingColumns.map(Value.string)), "metrics": .list(metrics)])
    }

    /// An HTML table of the comparison, for the dashboard.
    public func renderHtml(all: Bool) -> String {
        let cols = all ? columns : differingColumns
        var s = "<table class=\"differs\"><tr><th>run</th>" + cols.map { "<th>\(HtmlText.escape($0))</th>" }.joined() + "</tr>"
        for e in entries { s += "<tr><td>\(HtmlText.escape(e.label))</td>" + cols.map { "<td class=\"mono\">\(HtmlText.escape(e.attributes[$0] ?? "–"))</td>" }.joined() + "</tr>" }
        s += "</table>"
        if cols.isEmpty { s += "<p class=\"muted\">The runs do not differ in params, treatments, seeds, replicates, plugins or git commit.</p>" }
        s += "<table class=\"metrics\"><tr><th>metric</th><th>condition</th>" + entries.map { "<th>\(HtmlText.escape($0.label)) n</th><th>mean</th><th>sd</th>" }.joined() + "</tr>"
        for r in metricRows {
            s += "<tr><td>\(HtmlText.escape(r.metric))</td><td>\(HtmlText.escape(r.condition))</td>"
            for st in r.stats { s += st.map { "<td class=\"num\">\($0.n)</td><td class=\"num\">\(HtmlText.number($0.mean))</td><td class=\"num\">\(HtmlText.number($0.sd))</td>" } ?? "<td>–</td><td>–</td><td>–</td>" }
            s += "</tr>"
        }
        return s + "</table>"
    }
}
