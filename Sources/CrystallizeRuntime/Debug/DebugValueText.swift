import Foundation

/// A value as `run --debug` prints it: JSON-like, cut short so a large dataset reads as its
/// shape and first items rather than pages of numbers.
enum DebugValueText {
    /// Items of a list or map shown before "... N more".
    static let items = 6
    /// Characters of a string shown before "...".
    static let stringLength = 60
    /// The whole text's limit.
    static let length = 240

    /// `value` abridged.
    static func abridged(_ value: Value) -> String {
        var text = describe(value, depth: 0)
        if text.count > length { text = String(text.prefix(length)) + "..." }
        return text
    }

    private static func describe(_ value: Value, depth: Int) -> String {
        switch value {
        case .null, .bool, .int, .double: return JSONText.encode(value)
        case .string(let s):
            return JSONText.encode(.string(s.count > stringLength ? String(s.prefix(stringLength)) + "..." : s))
        case .bytes(let b): return "<\(b.count) bytes>"
        case .doubles(let a): return list(a.values.prefix(items).map { JSONText.encode(.double($0)) }, total: a.count, depth: depth, kind: "f64[]")
        case .list(let l): return list(l.prefix(items).map { describe($0, depth: depth + 1) }, total: l.count, depth: depth, kind: nil)
        case .map(let m):
            guard depth < 3 else { return "{... \(m.count) keys}" }
            var parts = m.prefix(items).map { "\(JSONText.encode(.string($0.key))): \(describe($0.value, depth: depth + 1))" }
            if m.count > items { parts.append("... \(m.count - items) more") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }

    private static func list(_ shown: [String], total: Int, depth: Int, kind: String?) -> String {
        guard depth < 3 else { return "[... \(total) items]" }
        var parts = shown
        if total > shown.count { parts.append("... \(total - shown.count) more") }
        let body = "[" + parts.joined(separator: ", ") + "]"
        return kind.map { "\($0) \(body)" } ?? body
    }
}
