import Foundation
import OrderedCollections

/// Renders a stored run for `crystallize-host show` from its files alone: the summary from
/// results.json and a provenance tree from provenance.json, like crystallize-ml's print_tree.
public enum RunViewer {
    /// The levels a tree may use.
    public static let levels = ["treatment", "replicate", "step", "action"]

    /// The stored run of `experiment` (a name, folder or config.yaml) under `dataRoot`: its
    /// store and version (`version`, else the latest).
    static func locate(experiment: String, dataRoot: String, version: Int?) throws -> (name: String, store: RunStore, version: Int) {
        var name = experiment
        if FileManager.default.fileExists(atPath: experiment), let path = try? ExperimentConfig.path(for: experiment),
           let entry = ExperimentCatalog.list(root: (path as NSString).deletingLastPathComponent).first(where: { $0.path.hasSuffix("config.yaml") }) {
            name = entry.name
        }
        let store = RunStore(dataRoot: dataRoot, experiment: name)
        guard let v = version ?? store.versions().last else { throw StoreError("no stored runs of '\(name)' under \(store.experimentDirectory)") }
        guard FileManager.default.fileExists(atPath: store.versionDirectory(v)) else { throw StoreError("\(store.versionDirectory(v)) does not exist; versions: \(store.versions().map { "v\($0)" }.joined(separator: ", "))") }
        return (name, store, v)
    }

    /// Every kept log of replicate `replicate` of a stored run (`show --logs R`).
    public static func logs(experiment: String, dataRoot: String, version: Int?, replicate: Int) throws -> String {
        let (_, store, v) = try locate(experiment: experiment, dataRoot: dataRoot, version: version)
        return try RunLogs.render(store.versionDirectory(v), replicate: replicate)
    }

    /// The whole provenance of a stored run (provenance.json joined with its step records), as JSON.
    public static func provenance(experiment: String, dataRoot: String, version: Int?) throws -> String {
        let (_, store, v) = try locate(experiment: experiment, dataRoot: dataRoot, version: version)
        return JSONText.encode(try ProvenanceDocument.load(versionDirectory: store.versionDirectory(v)), indent: 2)
    }

    /// Renders `experiment` (a name, folder or config.yaml) under `dataRoot`.
    public static func render(experiment: String, dataRoot: String, version: Int?, tree: String?) throws -> String {
        let (name, store, v) = try locate(experiment: experiment, dataRoot: dataRoot, version: version)
        guard let meta = try store.readMetadata(v) else { throw StoreError("\(store.metadataPath(v)) is missing") }
        if let text = try OptimizationSummary.show(versionDirectory: store.versionDirectory(v), name: name, version: v) { return text }
        var conditions: [String] = []
        if case .list(let cs)? = meta["conditions"] { conditions = cs.compactMap { if case .string(let s) = $0 { return s }; return nil } }
        var lines = ["\(name) v\(v) — status \(meta.string("status").map { JSONText.encode(.string(RunLiveness.shownStatus($0, experimentDirectory: store.experimentDirectory))) } ?? meta["status"].map { JSONText.encode($0) } ?? "?"), \(meta["replicates"].map { JSONText.encode($0) } ?? "?") replicates"]
        if let git = GitInfo(json: meta["git"]) {
            lines.append("git: \(git.summary)" + (git.modified.isEmpty ? "" : "; modified: \(git.modified.joined(separator: ", "))\(git.modifiedCount > git.modified.count ? ", …" : "")"))
        }
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
        // With a tree, read provenance.json once, joined with its step records.
        let document = tree == nil ? try JSONText.parseFile(provPath) : try ProvenanceDocument.load(versionDirectory: store.versionDirectory(v))
        guard case .map(let prov) = document else { throw StoreError("\(provPath) is not a JSON object") }
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
            lines.append(contentsOf: try renderTree(runs: runs, order: order))
        }
        return lines.joined(separator: "\n")
    }

    /// Groups step records by the requested levels and draws them like crystallize-ml's
    /// `print_tree`: "Treatment 'x'", "Replicate n", "Step s", then Reads / Writes / Write Metrics.
    static func renderTree(runs: [Value], order: [String]) throws -> [String] {
        if let i = order.firstIndex(of: "action"), i != order.count - 1 { throw StoreError("--tree: 'action' must be the last level") }
        struct Leaf { var keys: [String: String]; var sortKeys: [String: Int]; var details: [String] }
        var leaves: [Leaf] = []
        for case .map(let run) in runs {
            guard case .string(let treatment)? = run["condition"], case .int(let rep)? = run["replicate"] else { continue }
            func leaf(_ step: String, _ index: Int, _ action: String, _ details: [String]) {
                leaves.append(Leaf(keys: ["treatment": "Treatment '\(treatment)'", "replicate": "Replicate \(rep)", "step": "Step \(step)", "action": action],
                                   sortKeys: ["replicate": Int(rep), "step": index], details: details))
            }
            if case .list(let steps)? = run["steps"] {
                for (index, item) in steps.enumerated() {
                    guard case .map(let s) = item, case .string(let step)? = s["step"], case .map(let ch)? = s["ctx_changes"] else { continue }
                    if case .map(let r)? = ch["reads"], !r.isEmpty { leaf(step, index, "Reads", r.map { "\($0.key)=\(JSONText.encode($0.value))" }) }
                    if case .map(let w)? = ch["wrote"], !w.isEmpty {
                        leaf(step, index, "Writes", w.map { k, v in
                            guard case .map(let ba) = v else { return k }
                            return "\(k): \(JSONText.encode(ba["before"] ?? .null)) -> \(JSONText.encode(ba["after"] ?? .null))"
                        })
                    }
                    if case .map(let m)? = ch["metrics"], !m.isEmpty {
                        leaf(step, index, "Write Metrics", m.map { k, v in
                            guard case .map(let ba) = v else { return k }
                            return "\(k): \(JSONText.encode(ba["before"] ?? .null)) -> \(JSONText.encode(ba["after"] ?? .null))"
                        })
                    }
                    if s["cache_hit"] == .bool(true) { leaf(step, index, "Cache Hit", []) }
                }
            }
            if case .map(let err)? = run["error"], case .string(let step)? = err["step"] {
                leaf(step, Int.max, "Error", [err["message"].map { if case .string(let m) = $0 { return m }; return JSONText.encode($0) } ?? ""])
            }
        }
        var out = ["Experiment Summary"]
        func draw(_ items: [Leaf], depth: Int, prefix: String) {
            if depth == order.count {
                // Below the last requested level: the actions and their details, as print_tree shows them.
                var lines: [String] = []
                for l in items {
                    if !order.contains("action") { lines.append(l.keys["action"]!) }
                    for d in l.details { lines.append((order.contains("action") ? "" : "  ") + d) }
                }
                for (i, line) in lines.enumerated() { out.append(prefix + (i == lines.count - 1 ? "└── " : "├── ") + line) }
                return
            }
            let level = order[depth]
            var groups: [(key: String, sort: Int, items: [Leaf])] = []
            for l in items {
                let k = l.keys[level] ?? "?"
                if let i = groups.firstIndex(where: { $0.key == k }) { groups[i].items.append(l) } else { groups.append((k, l.sortKeys[level] ?? 0, [l])) }
            }
            groups.sort { level == "treatment" || level == "action" ? $0.key < $1.key : ($0.sort, $0.key) < ($1.sort, $1.key) }
            for (i, g) in groups.enumerated() {
                let last = i == groups.count - 1
                out.append(prefix + (last ? "└── " : "├── ") + g.key)
                draw(g.items, depth: depth + 1, prefix: prefix + (last ? "    " : "│   "))
            }
        }
        draw(leaves, depth: 0, prefix: "")
        return out
    }
}
