import OrderedCollections

/// A compact, exact binary encoding of values for the checkpoint journal.
///
/// Unlike `ValueHash`'s canonical form it keeps every bit (-0.0 stays -0.0, NaN payloads
/// stay), because a resumed run must reproduce results.json byte for byte from what it reads
/// back. Integers are LEB128 varints (zig-zag for signed), doubles 8 little-endian bytes,
/// strings and bytes length-prefixed.
///
/// The writer owns a growable buffer and writes into it without the per-byte capacity and
/// uniqueness checks of an array append: every finished step and replicate is encoded here.
/// It cannot be copied, so the buffer always has exactly one owner.
struct ByteWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// How many bytes have been written.
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The encoded bytes so far, copied out.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Room for `n` more bytes.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        base = b
        capacity = c
    }

    /// Forgets everything written, keeping the buffer.
    mutating func removeAll() { count = 0 }

    /// Forgets everything written after the first `n` bytes.
    mutating func truncate(to n: Int) { count = min(count, n) }

    /// The written bytes, writable in place (for patching lengths and headers).
    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }

    /// The written bytes.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    mutating func append(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        reserve(raw.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
        count += raw.count
    }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    /// `n` zero bytes, to be filled in later.
    mutating func zeros(_ n: Int) {
        reserve(n)
        (base + count).initialize(repeating: 0, count: n)
        count += n
    }

    @inline(__always)
    mutating func varint(_ x: UInt64) {
        // Counts, lengths and tags: nearly always one byte.
        if x < 0x80, count < capacity {
            base[count] = UInt8(x)
            count += 1
            return
        }
        longVarint(x)
    }

    private mutating func longVarint(_ x: UInt64) {
        reserve(10)
        var x = x
        while x >= 0x80 { base[count] = UInt8(truncatingIfNeeded: x) | 0x80; count += 1; x >>= 7 }
        base[count] = UInt8(x)
        count += 1
    }

    mutating func int(_ x: Int64) { varint(UInt64(bitPattern: (x << 1) ^ (x >> 63))) }

    mutating func double(_ d: Double) {
        reserve(8)
        UnsafeMutableRawPointer(base + count).storeBytes(of: d.bitPattern.littleEndian, as: UInt64.self)
        count += 8
    }

    mutating func string(_ s: String) {
        s.withUTF8Bytes { u in varint(UInt64(u.count)); append(UnsafeRawBufferPointer(u)) }
    }

    mutating func value(_ v: Value) {
        switch v {
        case .null: byte(0)
        case .bool(let b): byte(b ? 2 : 1)
        case .int(let i): byte(3); int(i)
        case .double(let d): byte(4); double(d)
        case .string(let s): byte(5); string(s)
        case .bytes(let b): byte(6); varint(UInt64(b.count)); append(b)
        case .list(let items): byte(7); varint(UInt64(items.count)); for i in items { value(i) }
        case .map(let m): byte(8); varint(UInt64(m.count)); for (k, x) in m { string(k); value(x) }
        case .doubles(let a):
            byte(9); varint(UInt64(a.count))
            // Little-endian hosts only (x86-64, arm64): the storage is already the wire form.
            append(UnsafeRawBufferPointer(start: a.base, count: a.count * 8))
        }
    }
}

/// A decoding failure: the bytes are not what `ByteWriter` wrote.
struct BinaryDecodingError: Error, CustomStringConvertible {
    var description: String
}

/// Reads what `ByteWriter` wrote; every read checks bounds and throws on truncation.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        offset = start
        self.end = end ?? bytes.count
    }

    var isAtEnd: Bool { offset >= end }

    mutating func byte() throws -> UInt8 {
        guard offset < end else { throw BinaryDecodingError(description: "record ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func varint() throws -> UInt64 {
        var x: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw BinaryDecodingError(description: "varint too long") }
            x |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return x }
            shift += 7
        }
    }

    mutating func count() throws -> Int {
        let n = try varint()
        guard n <= UInt64(end - offset) * 8 + 8 else { throw BinaryDecodingError(description: "length \(n) exceeds the record") }
        return Int(n)
    }

    mutating func u32() throws -> Int {
        guard end - offset >= 4 else { throw BinaryDecodingError(description: "record ends early") }
        defer { offset += 4 }
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
    }

    mutating func int() throws -> Int64 {
        let z = try varint()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }

    mutating func double() throws -> Double {
        guard end - offset >= 8 else { throw BinaryDecodingError(description: "record ends early") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return Double(bitPattern: bits)
    }

    mutating func raw(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, end - offset >= n else { throw BinaryDecodingError(description: "record ends early") }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    /// The bytes from `start` to the current offset.
    func slice(from start: Int) throws -> ArraySlice<UInt8> {
        guard start <= offset else { throw BinaryDecodingError(description: "bad slice") }
        return bytes[start..<offset]
    }

    mutating func string() throws -> String {
        let n = try count()
        return String(decoding: try raw(n), as: UTF8.self)
    }

    mutating func value() throws -> Value {
        switch try byte() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try int())
        case 4: return .double(try double())
        case 5: return .string(try string())
        case 6: return .bytes(Array(try raw(try count())))
        case 7:
            let n = try count()
            var items: [Value] = []
            items.reserveCapacity(n)
            for _ in 0..<n { items.append(try value()) }
            return .list(items)
        case 8:
            let n = try count()
            var m = OrderedDictionary<String, Value>(minimumCapacity: n)
            for _ in 0..<n { let k = try string(); m[k] = try value() }
            return .map(m)
        case 9:
            let n = try count()
            let a = DoubleArray.zeros(n)
            for i in 0..<n { a.base[i] = try double() }
            return .doubles(a)
        case let tag: throw BinaryDecodingError(description: "unknown value tag \(tag)")
        }
    }
}
