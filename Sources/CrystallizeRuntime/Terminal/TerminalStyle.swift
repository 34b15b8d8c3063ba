import Foundation

/// What the terminal can show: UTF-8 glyphs or plain ASCII (from the locale), colours or not
/// (`NO_COLOR`, `TERM=dumb`).
public struct TerminalStyle: Equatable {
    /// Whether box and state glyphs may be drawn (the locale is UTF-8).
    public var unicode: Bool
    /// Whether ANSI colours and attributes may be used.
    public var color: Bool

    /// A style.
    public init(unicode: Bool, color: Bool) { self.unicode = unicode; self.color = color }

    /// The style the environment asks for: UTF-8 when the first set of LC_ALL, LC_CTYPE, LANG
    /// names UTF-8; colour unless NO_COLOR is set (to anything) or TERM is dumb.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> TerminalStyle {
        let locale = [env["LC_ALL"], env["LC_CTYPE"], env["LANG"]].compactMap { $0 }.first { !$0.isEmpty } ?? ""
        let lower = locale.lowercased()
        let unicode = lower.contains("utf-8") || lower.contains("utf8")
        // no-color.org: NO_COLOR set to anything but the empty string turns colours off.
        let color = (env["NO_COLOR"] ?? "").isEmpty && env["TERM"] != "dumb"
        return TerminalStyle(unicode: unicode, color: color)
    }

    /// A glyph in this style: `fancy` when UTF-8 is possible, else `plain`.
    public func glyph(_ fancy: String, _ plain: String) -> String { unicode ? fancy : plain }
}

/// An attribute of a span of text.
public enum TextAttribute: Equatable {
    case normal, bold, dim, inverse, red, green, yellow, blue, cyan

    var sgr: String {
        switch self {
        case .normal: return "0"
        case .bold: return "1"
        case .dim: return "2"
        case .inverse: return "7"
        case .red: return "31"
        case .green: return "32"
        case .yellow: return "33"
        case .blue: return "34"
        case .cyan: return "36"
        }
    }
}

/// A run of text with one attribute.
public struct Span: Equatable {
    /// The text (no newlines).
    public var text: String
    /// How it is drawn.
    public var attribute: TextAttribute
    /// A span.
    public init(_ text: String, _ attribute: TextAttribute = .normal) { self.text = text; self.attribute = attribute }
}

/// One screen row: spans drawn left to right.
public typealias ScreenLine = [Span]

/// Turns rows of spans into what the terminal is sent: each row clipped or padded to the
/// width, colours only when the style allows them, the whole frame drawn from the top left.
public enum ScreenRenderer {
    /// The columns `s` takes: wide (emoji, CJK) scalars count two, combining marks none.
    public static func width(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + scalarWidth($1) }
    }

    static func scalarWidth(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v == 0 { return 0 }
        if (0x0300...0x036F).contains(v) || (0xFE00...0xFE0F).contains(v) || v == 0x200D { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0x1F300...0x1FAFF).contains(v) { return 2 }
        return 1
    }

    /// `s` cut to at most `columns` columns.
    public static func clip(_ s: String, _ columns: Int) -> String {
        var out = "", used = 0
        for u in s.unicodeScalars {
            let w = scalarWidth(u)
            if used + w > columns { break }
            out.unicodeScalars.append(u)
            used += w
        }
        return out
    }

    /// A row as plain text, exactly `columns` wide.
    public static func plain(_ line: ScreenLine, columns: Int) -> String {
        let text = clip(line.map(\.text).joined(), columns)
        return text + String(repeating: " ", count: max(0, columns - width(text)))
    }

    /// `s` in plain ASCII, for a terminal whose locale is not UTF-8: the punctuation the
    /// screens use spelled out, any other non-ASCII scalar a '?' per column it takes (so a
    /// plugin's log line cannot send bytes the terminal would misdraw).
    public static func ascii(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 >= 0x80 }) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            if u.isASCII { out.unicodeScalars.append(u); continue }
            switch u.value {
            case 0x2026: out += "..."
            case 0x2014, 0x2013, 0x2500: out += "-"
            case 0x2192: out += "->"
            case 0x2502: out += "|"
            case 0x00B7: out += "."
            default: out += String(repeating: "?", count: scalarWidth(u))
            }
        }
        return out
    }

    /// The escape sequences that draw `lines` on a `columns`×`rows` screen.
    public static func frame(_ lines: [ScreenLine], columns: Int, rows: Int, style: TerminalStyle) -> String {
        var out = "\u{1B}[H"
        for r in 0..<rows {
            let line = r < lines.count ? lines[r] : []
            var used = 0
            for span in line where used < columns {
                let text = clip(style.unicode ? span.text : ascii(span.text), columns - used)
                used += width(text)
                if style.color && span.attribute != .normal { out += "\u{1B}[\(span.attribute.sgr)m\(text)\u{1B}[0m" } else { out += text }
            }
            out += String(repeating: " ", count: max(0, columns - used))
            if r < rows - 1 { out += "\r\n" }
        }
        return out
    }
}
