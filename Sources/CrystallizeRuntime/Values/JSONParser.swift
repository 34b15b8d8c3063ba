import OrderedCollections
import Foundation

/// A small JSON reader that keeps what a generic decoder loses: int vs float, key order, and
/// Python's NaN/Infinity.
struct Parser {
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
                    if m.count == 1, let tagged = m["$f64"], let ds = tagged.asDoubles { return .doubles(DoubleArray.copy(of: ds)) }
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

