import Crypto
import Foundation

/// Content hashes of values: sha256 over a canonical, typed, length-prefixed encoding, so equal
/// values hash equally in every process and unequal ones (even `1` vs `1.0`) do not.
public enum ValueHash {
    /// The hex sha256 of `value`'s canonical encoding.
    public static func hex(_ value: Value) -> String {
        var hasher = SHA256()
        feed(value, into: &hasher)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The hex sha256 of raw bytes.
    public static func hex(bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    private static func feed(_ value: Value, into h: inout SHA256) {
        func tag(_ t: UInt8) { h.update(data: [t]) }
        func u64(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { h.update(bufferPointer: $0) } }
        switch value {
        case .null: tag(0)
        case .bool(let b): tag(1); h.update(data: [b ? 1 : 0])
        case .int(let i): tag(2); u64(UInt64(bitPattern: i))
        case .double(let d): tag(3); u64(d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0 : d.bitPattern))
        case .string(let s): tag(4); let u = Array(s.utf8); u64(UInt64(u.count)); h.update(data: u)
        case .bytes(let b): tag(5); u64(UInt64(b.count)); h.update(data: b)
        case .list(let items): tag(6); u64(UInt64(items.count)); for i in items { feed(i, into: &h) }
        case .map(let m):
            tag(7); u64(UInt64(m.count))
            for (k, v) in m { let u = Array(k.utf8); u64(UInt64(u.count)); h.update(data: u); feed(v, into: &h) }
        case .doubles(let a):
            tag(8); u64(UInt64(a.count))
            h.update(bufferPointer: UnsafeRawBufferPointer(start: a.base, count: a.count * 8))
        }
    }
}
