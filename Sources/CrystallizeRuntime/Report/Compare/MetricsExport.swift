import Foundation
import OrderedCollections

/// `show --format csv|json`: every successful (replicate, condition)'s metrics, one row each,
/// for notebooks (pandas' read_csv / read_json take either as they are).
public enum MetricsExport {
    /// CSV: `replicate,condition,<metric>…`; a metric recorded several times in one replicate
    /// is written as the values joined by `;` in one quoted field.
    public static func csv(_ run: StoredRun) -> String {
        var lines = [(["replicate", "condition"] + run.metricNames).map(field).joined(separator: ",")]
        for r in run.rows {
            var cells = ["\(r.replicate)", field(r.condition)]
            for m in run.metricNames {
                let vs = r.metrics[m] ?? []
                cells.append(field(vs.map(cell).joined(separator: ";")))
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// JSON: a list of `{"replicate", "condition", "seed"?, "metrics": {name: value or list}}`.
    public static func json(_ run: StoredRun) -> Value {
        .list(run.rows.map { r in
            .map(["replicate": .int(Int64(r.replicate)), "condition": .string(r.condition),
                  "metrics": .map(r.metrics.mapValues { $0.count == 1 ? $0[0] : .list($0) })])
        })
    }

    static func cell(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return JSONText.encode(v)
    }

    /// RFC 4180 quoting when the text needs it.
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == ";" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
