import Foundation

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

    /// A float as Python's json writes it (NaN and Infinity included), straight into the
    /// buffer: results files hold one per metric value, and a String would allocate for most.
    mutating func number(_ d: Double) {
        if d.isNaN { raw("NaN"); return }
        if d.isInfinite { raw(d > 0 ? "Infinity" : "-Infinity"); return }
        if d == d.rounded(), abs(d) < 1e16 {
            // Python prints integral floats as "3.0"; keep that so readers see a float.
            raw(d == 0 && d.sign == .minus ? "-0" : String(Int64(d)))
            raw(".0")
            return
        }
        d.write(to: &self)
    }

    mutating func write(_ value: Value, level: Int) {
        switch value {
        case .null: raw("null")
        case .bool(let b): raw(b ? "true" : "false")
        case .int(let i): raw(String(i))
        case .double(let d): number(d)
        case .string(let s): string(s)
        case .bytes(let b): raw("{\"$bytes\": "); string(Data(b).base64EncodedString()); out.append(125)
        case .doubles(let a):
            if tagged { raw("{\"$f64\": ") }
            out.append(91)
            for i in 0..<a.count { if i > 0 { out.append(44); out.append(32) }; number(a.base[i]) }
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

/// Lets `Double.write(to:)` hand its digits over as bytes (`_writeASCII`), without making a
/// String first.
extension JSONWriter: TextOutputStream {
    mutating func write(_ string: String) { out.append(contentsOf: string.utf8) }
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { out.append(contentsOf: buffer) }
}
