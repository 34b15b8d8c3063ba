import Foundation
import OrderedCollections

/// What an optimization found, for the summary, `--json` and tests.
public struct OptimizationResult {
    let record: OptimizationRecord
    /// The version folder holding optimization.json and the trial runs.
    public let versionDirectory: String
    /// complete, complete_with_failures, cancelled or failed.
    public let status: String
    /// Wall time in seconds.
    public let elapsed: Double

    /// Whether the search ran to its end without failed replicates.
    public var succeeded: Bool { status == "complete" }
    /// Whether Ctrl-C stopped it.
    public var cancelled: Bool { status == "cancelled" }
    /// The best trial's name and parameters, if any trial was measured.
    public var best: (name: String, params: OrderedDictionary<String, Value>, objective: Double?)? {
        record.best.map { ($0.request.name, $0.request.params, $0.mean) }
    }
    /// optimization.json's content (NaN as null, for strict JSON readers).
    public var json: Value { RunResult.finite(record.json(status: status)) }

    /// The table printed after an optimization: every evaluation, then the best.
    public var summary: String { OptimizationSummary.render(record.json(status: status), title: "\(record.experiment) v\(record.version) — optimization \(status) in \(String(format: "%.1f", elapsed)) s") }
}

/// Text views of an optimization.json (after a run and in `show`).
public enum OptimizationSummary {
    /// The trial table (objective per trial), budget and best of an optimization.json value.
    public static func render(_ doc: Value, title: String) -> String {
        let spec = doc.mapValue("spec")
        let metric = spec?.mapValue("objective")?.mapValue("metric").flatMap { if case .string(let s) = $0 { return s }; return nil } ?? "objective"
        let direction = spec?.mapValue("objective")?.mapValue("direction").flatMap { if case .string(let s) = $0 { return s }; return nil } ?? "minimize"
        let optimizer = spec?.mapValue("optimizer").flatMap { if case .string(let s) = $0 { return s }; return nil } ?? "?"
        var lines = [title, "optimizer \(optimizer), \(direction) \(metric)"]
        var rows = [["round", "trial", "params", "replicates", metric, "se"]]
        if case .list(let trials)? = doc.mapValue("trials") {
            for t in trials {
                rows.append([text(t.mapValue("round")), text(t.mapValue("trial")), params(t.mapValue("params")), text(t.mapValue("replicates")),
                             t.mapValue("objective")?.asDouble.map(Summary.fmt) ?? "-", t.mapValue("standard_error")?.asDouble.map(Summary.fmt) ?? "-"])
            }
        }
        lines.append(Summary.table(rows))
        if let b = doc.mapValue("budget") {
            lines.append("replicates run: \(text(b.mapValue("treatment_replicates"))) for trials, \(text(b.mapValue("baseline_replicates"))) for the baseline")
        }
        if let best = doc.mapValue("best"), best != .null {
            let se = best.mapValue("standard_error")?.asDouble.map { " ± \(Summary.fmt($0))" } ?? ""
            lines.append("best: \(text(best.mapValue("trial"))) \(params(best.mapValue("params"))) — \(metric) \(best.mapValue("objective")?.asDouble.map(Summary.fmt) ?? "-")\(se) over \(text(best.mapValue("replicates"))) replicate(s)")
        } else {
            lines.append("best: none (no trial measured '\(metric)')")
        }
        return lines.joined(separator: "\n")
    }

    static func text(_ v: Value?) -> String {
        switch v {
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .double(let d)?: return Summary.fmt(d)
        default: return "-"
        }
    }

    static func params(_ v: Value?) -> String {
        guard case .map(let m)? = v else { return "-" }
        return m.map { "\($0.key)=\(TreatmentName.text($0.value, digits: 4))" }.joined(separator: ",")
    }
}

extension OptimizationSummary {
    /// `show` of a version that holds an optimization, or nil when it holds a plain run.
    static func show(versionDirectory vdir: String, name: String, version: Int) throws -> String? {
        let path = "\(vdir)/\(OptimizationRecord.fileName)"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let doc: Value
        do { doc = try JSONText.parseFile(path) } catch { throw StoreError("\(path) cannot be read: \(error)") }
        let status = text(doc.mapValue("status"))
        return render(doc, title: "\(name) v\(version) — optimization, status \(status)") + "\ntrial runs: \(vdir)/trials/"
    }
}

extension OptimizationSummary {
    /// `compare` columns of a version holding an optimization (none for a plain run).
    static func compareAttributes(versionDirectory vdir: String) -> OrderedDictionary<String, String> {
        guard let doc = try? JSONText.parseFile("\(vdir)/\(OptimizationRecord.fileName)") else { return [:] }
        let spec = doc.mapValue("spec")
        var a: OrderedDictionary<String, String> = [
            "optimize.optimizer": text(spec?.mapValue("optimizer")),
            "optimize.objective": "\(text(spec?.mapValue("objective")?.mapValue("direction"))) \(text(spec?.mapValue("objective")?.mapValue("metric")))",
            "optimize.seed": text(spec?.mapValue("seed")),
        ]
        if case .list(let trials)? = doc.mapValue("trials") { a["optimize.evaluations"] = "\(trials.count)" }
        a["optimize.treatment_replicates"] = text(doc.mapValue("budget")?.mapValue("treatment_replicates"))
        if let best = doc.mapValue("best"), best != .null {
            a["optimize.best"] = "\(text(best.mapValue("trial"))) \(params(best.mapValue("params")))"
            a["optimize.best_objective"] = text(best.mapValue("objective"))
        }
        return a
    }
}
