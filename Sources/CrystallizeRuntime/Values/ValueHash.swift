import Crypto
import Foundation

/// Content hashes of values: sha256 over a canonical, typed, length-prefixed encoding, so equal
/// values hash equally in every process and unequal ones (even `1` vs `1.0`) do not.
public enum ValueHash {
    /// The hex sha256 of `value`'s canonical encoding.
    public static func hex(_ value: Value) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        encode(value, into: &buffer)
        return hex(bytes: buffer)
    }

    /// The hex sha256 of raw bytes.
    public static func hex(bytes: some DataProtocol) -> String {
        hexString(SHA256.hash(data: bytes))
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of a digest, without per-byte formatting (this sits on the hot path of
    /// every step call: provenance hashes inputs and outputs).
    static func hexString(_ digest: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical encoding: a type tag, then fixed-width little-endian numbers or
    /// length-prefixed bytes, recursively.
    static func encode(_ value: Value, into b: inout [UInt8]) {
        func u64(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { b.append(contentsOf: $0) } }
        switch value {
        case .null: b.append(0)
        case .bool(let v): b.append(1); b.append(v ? 1 : 0)
        case .int(let i): b.append(2); u64(UInt64(bitPattern: i))
        case .double(let d): b.append(3); u64(d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0 : d.bitPattern))
        case .string(let s): b.append(4); u64(UInt64(s.utf8.count)); b.append(contentsOf: s.utf8)
        case .bytes(let bytes): b.append(5); u64(UInt64(bytes.count)); b.append(contentsOf: bytes)
        case .list(let items): b.append(6); u64(UInt64(items.count)); for i in items { encode(i, into: &b) }
        case .map(let m):
            b.append(7); u64(UInt64(m.count))
            for (k, v) in m { u64(UInt64(k.utf8.count)); b.append(contentsOf: k.utf8); encode(v, into: &b) }
        case .doubles(let a):
            b.append(8); u64(UInt64(a.count))
            b.append(contentsOf: UnsafeRawBufferPointer(start: a.base, count: a.count * 8))
        }
    }
}
