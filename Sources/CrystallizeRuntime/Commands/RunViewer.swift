import Foundation
import OrderedCollections

/// Renders a stored run for `crystallize-host show` from its files alone: the summary from
/// results.json and a provenance tree from provenance.json, like crystallize-ml's print_tree.
public enum RunViewer {
    /// The levels a tree may use.
    public static let levels = ["treatment", "replicate", "step", "action"]

    /// Renders `experiment` (a name, folder or config.yaml) under `dataRoot`.
    public static func render(experiment: String, dataRoot: String, version: Int?, tree: String?) throws -> String {
        var name = experiment
        if FileManager.default.fileExists(atPath: experiment), let path = try? Planner.configPath(for: experiment),
           let entry = ExperimentCatalog.list(root: (path as NSString).deletingLastPathComponent).first(where: { $0.path.hasSuffix("config.yaml") }) {
            name = entry.name
        }
        let store = RunStore(dataRoot: dataRoot, experiment: name)
        guard let v = version ?? store.versions().last else { throw StoreError("no stored runs of '\(name)' under \(store.experimentDirectory)") }
        guard FileManager.default.fileExists(atPath: store.versionDirectory(v)) else { throw StoreError("\(store.versionDirectory(v)) does not exist; versions: \(store.versions().map { "v\($0)" }.joined(separator: ", "))") }
        guard let meta = try store.readMetadata(v) else { throw StoreError("\(store.metadataPath(v)) is missing") }
        var conditions: [String] = []
        if case .list(let cs)? = meta["conditions"] { conditions = cs.compactMap { if case .string(let s) = $0 { return s }; return nil } }
        var lines = ["\(name) v\(v) — status \(meta["status"].map { JSONText.encode($0) } ?? "?"), \(meta["replicates"].map { JSONText.encode($0) } ?? "?") replicates"]
        var rows = [["condition", "metric", "n", "mean", "sd", "complete"]]
        for c in conditions {
            let complete = FileManager.default.fileExists(atPath: store.markerPath(v, c)) ? "yes" : "no"
            guard FileManager.default.fileExists(atPath: store.resultsPath(v, c)) else { rows.append([c, "-", "0", "-", "-", "no results"]); continue }
            for (metric, values) in try store.readResults(v, c) {
                var s = RunningSummary()
                values.compactMap(\.asDouble).forEach { s.add($0) }
                rows.append([c, metric, "\(s.n)", Summary.fmt(s.mean), s.n > 1 ? Summary.fmt(s.standardDeviation) : "-", complete])
            }
        }
        lines.append(Summary.table(rows))
        let provPath = store.provenancePath(v)
        guard FileManager.default.fileExists(atPath: provPath) else { lines.append("(no provenance.json)"); return lines.joined(separator: "\n") }
        guard case .map(let prov) = try JSONText.parseFile(provPath) else { throw StoreError("\(provPath) is not a JSON object") }
        if case .list(let hs)? = prov["hypotheses"] {
            for case .map(let h) in hs {
                let best: String
                if case .map(let rk)? = h["ranking"], case .string(let b)? = rk["best"] { best = b } else { best = "none" }
                lines.append("hypothesis \(h["name"].map { JSONText.encode($0) } ?? "?"): best \(best)")
            }
        }
        if let tree {
            let order = tree.split(separator: ">").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            for l in order where !levels.contains(l) { throw StoreError("--tree level '\(l)' is not one of: \(levels.joined(separator: ", "))") }
            guard case .list(let runs)? = prov["runs"] else { throw StoreError("\(provPath) has no runs") }
            lines.append("")
            lines.append(contentsOf: renderTree(runs: runs, order: order))
        }
        return lines.joined(separator: "\n")
    }

    /// Groups step records by the requested levels and draws them with box characters.
    static func renderTree(runs: [Value], order: [String]) -> [String] {
        // Flatten into leaves: (treatment, replicate, step, action) tuples.
        var leaves: [[String: String]] = []
        for case .map(let run) in runs {
            let treatment = run["condition"].flatMap { if case .string(let s) = $0 { return s }; return nil } ?? "?"
            let replicate = run["replicate"].map { "replicate \(JSONText.encode($0))" } ?? "?"
            if case .map(let err)? = run["error"] {
                leaves.append(["treatment": treatment, "replicate": replicate, "step": "\(err["step"].map { JSONText.encode($0) } ?? "?")", "action": "error: \(err["message"].map { JSONText.encode($0) } ?? "")"])
            }
            guard case .list(let steps)? = run["steps"] else { continue }
            for case .map(let s) in steps {
                guard case .string(let step)? = s["step"] else { continue }
                var actions: [String] = []
                if s["cache_hit"] == .bool(true) { actions.append("cache hit") }
                if case .list(let r)? = s["ctx_reads"], !r.isEmpty { actions.append("read " + r.map { JSONText.encode($0) }.joined(separator: ", ")) }
                if case .list(let w)? = s["ctx_writes"], !w.isEmpty { actions.append("wrote " + w.map { JSONText.encode($0) }.joined(separator: ", ")) }
                if case .map(let m)? = s["metrics_diff"], !m.isEmpty { actions.append("metrics " + m.map { "\($0.key)=\(JSONText.encode($0.value))" }.joined(separator: ", ")) }
                if actions.isEmpty { actions.append("ran") }
                for a in actions { leaves.append(["treatment": treatment, "replicate": replicate, "step": step, "action": a]) }
            }
        }
        var out: [String] = []
        func draw(_ items: [[String: String]], depth: Int, prefix: String) {
            guard depth < order.count else { return }
            var groups = OrderedDictionary<String, [[String: String]]>()
            for i in items { groups[i[order[depth]] ?? "?", default: []].append(i) }
            for (idx, (key, sub)) in groups.enumerated() {
                let last = idx == groups.count - 1
                out.append(prefix + (last ? "└── " : "├── ") + key)
                draw(sub, depth: depth + 1, prefix: prefix + (last ? "    " : "│   "))
            }
        }
        draw(leaves, depth: 0, prefix: "")
        return out
    }
}
