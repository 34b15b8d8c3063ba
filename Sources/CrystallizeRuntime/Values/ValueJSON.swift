import Foundation
import OrderedCollections

/// JSON text for values: deterministic (insertion order, shortest round-trip numbers), so the
/// same value always gives the same bytes, whichever process or strategy produced it.
public enum JSONText {
    /// Encodes `value`; `indent` > 0 pretty-prints with that many spaces per level.
    /// With `tagged`, f64 arrays are written as `{"$f64": [...]}` so they read back as arrays
    /// (checkpoints, cache, worker results); results.json uses plain lists, as Python writes.
    public static func encode(_ value: Value, indent: Int = 0, tagged: Bool = false) -> String {
        var w = JSONWriter(indent: indent, tagged: tagged)
        w.write(value, level: 0)
        return String(decoding: w.out, as: UTF8.self)
    }

    static func number(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        if d == d.rounded(), abs(d) < 1e16 {
            // Python prints integral floats as "3.0"; keep that so readers see a float.
            return (d == 0 && d.sign == .minus ? "-0" : String(Int64(d))) + ".0"
        }
        return "\(d)"
    }

    static func quoted(_ s: String) -> String {
        var w = JSONWriter(indent: 0, tagged: false)
        w.string(s)
        return String(decoding: w.out, as: UTF8.self)
    }

    /// Parses JSON text (also NaN/Infinity as Python writes them). Integers without a
    /// fraction or exponent become `.int`; `{"$bytes": b64}` becomes `.bytes`.
    public static func parse(_ text: String) throws -> Value {
        var p = Parser(bytes: Array(text.utf8))
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.error("unexpected text after the value") }
        return v
    }

    /// Parses the JSON file at `path`; errors name the file.
    public static func parseFile(_ path: String) throws -> Value {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JSONError(message: "cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw JSONError(message: "\(path) is not UTF-8 text")
        }
        do { return try parse(text) } catch let e as JSONError {
            throw JSONError(message: "\(path): \(e.message)")
        }
    }
}

/// A JSON syntax error with its position.
public struct JSONError: Error, CustomStringConvertible {
    /// What went wrong and where.
    public var message: String
    /// Same as `message`.
    public var description: String { message }
}

private struct Parser {
    let bytes: [UInt8]
    var i = 0

    func error(_ what: String) -> JSONError {
        var line = 1, col = 1
        for b in bytes[..<min(i, bytes.count)] { if b == 10 { line += 1; col = 1 } else { col += 1 } }
        return JSONError(message: "invalid JSON at line \(line), column \(col): \(what)")
    }

    mutating func skipSpace() {
        while i < bytes.count, [32, 9, 10, 13].contains(bytes[i]) { i += 1 }
    }

    mutating func literal(_ word: String, _ v: Value) throws -> Value {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw error("unknown literal") }
        i += w.count
        return v
    }

    mutating func value() throws -> Value {
        guard i < bytes.count else { throw error("unexpected end of text") }
        switch bytes[i] {
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "N"): return try literal("NaN", .double(.nan))
        case UInt8(ascii: "I"): return try literal("Infinity", .double(.infinity))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "["):
            i += 1; skipSpace()
            var items: [Value] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
            while true {
                skipSpace(); items.append(try value()); skipSpace()
                guard i < bytes.count else { throw error("unterminated list") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "{"):
            i += 1; skipSpace()
            var m = OrderedDictionary<String, Value>()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .map(m) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a key") }
                let k = try string(); skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
                i += 1; skipSpace()
                m[k] = try value(); skipSpace()
                guard i < bytes.count else { throw error("unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    if m.count == 1, case .string(let b64)? = m["$bytes"], let d = Data(base64Encoded: b64) {
                        return .bytes([UInt8](d))
                    }
                    if m.count == 1, let tagged = m["$f64"], let ds = tagged.asDoubles { return .doubles(DoubleArray(ds)) }
                    return .map(m)
                }
                throw error("expected ',' or '}'")
            }
        default: return try number()
        }
    }

    mutating func number() throws -> Value {
        let start = i
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "I") { _ = try literal("Infinity", .null); return .double(-.infinity) }
        }
        var isFloat = false
        while i < bytes.count {
            let c = bytes[i]
            if (c >= 48 && c <= 57) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { i += 1 }
            else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isFloat = true; i += 1 }
            else { break }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if !isFloat, let n = Int64(text) { return .int(n) }
        guard let d = Double(text), !text.isEmpty else { i = start; throw error("invalid number '\(text)'") }
        return .double(d)
    }

    mutating func string() throws -> String {
        i += 1
        var out = [UInt8]()
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                let e = bytes[i]; i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, var code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else { throw error("bad \\u escape") }
                    i += 4
                    if code >= 0xD800, code < 0xDC00, i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
                       let low = UInt32(String(decoding: bytes[i + 2..<i + 6], as: UTF8.self), radix: 16) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00); i += 6
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(code) ?? "?").utf8))
                default: out.append(e)
                }
            } else { out.append(c); i += 1 }
        }
        throw error("unterminated string")
    }
}

/// Writes JSON into a byte buffer: this runs for every checkpoint line and provenance record,
/// so it avoids String appends and per-character Unicode work.
struct JSONWriter {
    var out: [UInt8] = []
    let indent: Int
    let tagged: Bool
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    init(indent: Int, tagged: Bool) {
        self.indent = indent
        self.tagged = tagged
        out.reserveCapacity(256)
    }

    mutating func raw(_ s: String) { out.append(contentsOf: s.utf8) }

    mutating func newline(_ level: Int) {
        guard indent > 0 else { return }
        out.append(10)
        for _ in 0..<(indent * level) { out.append(32) }
    }

    mutating func string(_ s: String) {
        out.append(34)
        for b in s.utf8 {
            switch b {
            case 34: out.append(92); out.append(34)
            case 92: out.append(92); out.append(92)
            case 10: out.append(92); out.append(110)
            case 13: out.append(92); out.append(114)
            case 9: out.append(92); out.append(116)
            case 0..<32:
                out.append(contentsOf: [92, 117, 48, 48]); out.append(Self.hex[Int(b >> 4)]); out.append(Self.hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(34)
    }

    mutating func write(_ value: Value, level: Int) {
        switch value {
        case .null: raw("null")
        case .bool(let b): raw(b ? "true" : "false")
        case .int(let i): raw(String(i))
        case .double(let d): raw(JSONText.number(d))
        case .string(let s): string(s)
        case .bytes(let b): raw("{\"$bytes\": "); string(Data(b).base64EncodedString()); out.append(125)
        case .doubles(let a):
            if tagged { raw("{\"$f64\": ") }
            out.append(91)
            for i in 0..<a.count { if i > 0 { out.append(44); out.append(32) }; raw(JSONText.number(a.base[i])) }
            out.append(93)
            if tagged { out.append(125) }
        case .list(let items):
            if items.isEmpty { raw("[]"); return }
            out.append(91)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(44); if indent == 0 { out.append(32) } }
                newline(level + 1)
                write(item, level: level + 1)
            }
            newline(level)
            out.append(93)
        case .map(let m):
            if m.isEmpty { raw("{}"); return }
            out.append(123)
            var first = true
            for (k, v) in m {
                if !first { out.append(44); if indent == 0 { out.append(32) } }
                first = false
                newline(level + 1)
                string(k)
                out.append(58); out.append(32)
                write(v, level: level + 1)
            }
            newline(level)
            out.append(125)
        }
    }
}
