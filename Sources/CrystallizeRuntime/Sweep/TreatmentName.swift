import Foundation
import OrderedCollections

/// Readable, deterministic names for generated treatments: `delta=1,noise=0.5`.
enum TreatmentName {
    /// `k=v` pairs joined by commas, numbers written with `digits` significant digits
    /// (nil: exactly as read).
    static func make(_ params: OrderedDictionary<String, Value>, digits: Int? = nil) -> String {
        params.map { "\($0.key)=\(text($0.value, digits: digits))" }.joined(separator: ",")
    }

    /// A value as it appears in a name.
    static func text(_ v: Value, digits: Int?) -> String {
        switch v {
        case .int(let i): return String(i)
        case .double(let d):
            if let digits { return String(format: "%.\(digits)g", d) }
            return d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : "\(d)"
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .null: return "null"
        default: return JSONText.encode(v)
        }
    }

    /// Names become folder names: refuses what a file system or the `k=v,...` form cannot hold.
    static func check(_ value: Value, key: String, node: YAMLNode) throws {
        let t = text(value, digits: nil)
        if t.isEmpty || t.contains("/") || t.contains(",") || t.contains("=") || t.hasPrefix(".") || t.contains("\0") {
            throw node.error("value '\(t)' of '\(key)' cannot be part of a treatment name (no '/', ',', '=', leading '.' or empty text)")
        }
    }
}
