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
