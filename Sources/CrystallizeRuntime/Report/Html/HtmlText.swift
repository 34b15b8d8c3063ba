import Foundation

/// Escaping and number spelling for the HTML report: every string that came from a run
/// (names, messages, paths) goes through `escape`, so a metric named `<script>` stays text.
enum HtmlText {
    /// Text safe inside an element or a quoted attribute.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A number for people: the summary table's spelling, "–" for NaN.
    static func number(_ d: Double) -> String { d.isNaN ? "–" : Summary.fmt(d) }

    /// A coordinate in an SVG attribute: two decimals are finer than a pixel.
    static func coord(_ d: Double) -> String { d.isFinite ? String(format: "%.2f", d) : "0" }

    /// The text of a JSON value: strings bare, everything else as JSON.
    static func value(_ v: Value?) -> String {
        guard let v else { return "–" }
        if case .string(let s) = v { return s }
        if let d = v.asDouble, case .double = v { return number(d) }
        return JSONText.encode(v)
    }
}
