/// A value owned by the host, seen from a plugin: borrowed when it is an input, made by the
/// context when it is an output. Never store one beyond the callback it came from.
public struct HostValue {
    /// The C handle.
    public let raw: OpaquePointer

    /// Wraps a handle; nil stays nil.
    public init?(_ raw: OpaquePointer?) {
        guard let raw else { return nil }
        self.raw = raw
    }

    /// The value's type (CRYS_T_*).
    public var type: crys_type { hostTable.pointee.type_of(raw) }
    /// As a float (ints convert; NaN otherwise).
    public var double: Double { hostTable.pointee.get_f64(raw) }
    /// As an integer.
    public var int: Int64 { hostTable.pointee.get_i64(raw) }
    /// As a boolean.
    public var bool: Bool { hostTable.pointee.get_bool(raw) != 0 }
    /// As a float when it is a number (f64, or i64 converted), nil otherwise: unlike `double`,
    /// a value of the wrong type is told apart from a real NaN (read_f64, ABI 1.1).
    public var checkedDouble: Double? {
        guard hostHas(\.read_f64) else { return type == CRYS_T_F64 || type == CRYS_T_I64 ? double : nil }
        var out = 0.0
        return hostTable.pointee.read_f64(raw, &out) == CRYS_OK ? out : nil
    }
    /// As an integer when it is an i64 (or an f64 holding an exact integer), nil otherwise.
    public var checkedInt: Int64? {
        guard hostHas(\.read_i64) else { return type == CRYS_T_I64 ? int : nil }
        var out: Int64 = 0
        return hostTable.pointee.read_i64(raw, &out) == CRYS_OK ? out : nil
    }
    /// As a boolean when it is one, nil otherwise.
    public var checkedBool: Bool? {
        guard hostHas(\.read_bool) else { return type == CRYS_T_BOOL ? bool : nil }
        var out: Int32 = 0
        return hostTable.pointee.read_bool(raw, &out) == CRYS_OK ? out != 0 : nil
    }
    /// As a string, if it is one.
    public var string: String? { hostTable.pointee.get_string(raw, nil).map { String(cString: $0) } }
    /// The bytes of a bytes or string value, copied out; nil for other types.
    public var bytes: [UInt8]? {
        var n = 0
        guard let p = hostTable.pointee.get_bytes(raw, &n) else { return nil }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
    /// Element count of a list, map or f64 array.
    public var count: Int { hostTable.pointee.count(raw) }
    /// Element `i` of a list.
    public subscript(i: Int) -> HostValue? { HostValue(hostTable.pointee.list_at(raw, i)) }
    /// Entry `key` of a map.
    public subscript(key: String) -> HostValue? { HostValue(key.withCString { hostTable.pointee.map_get(raw, $0) }) }
    /// The elements of an f64 array, readable and writable in place (no copy).
    public var doubles: UnsafeMutableBufferPointer<Double>? {
        var n = 0
        guard let p = hostTable.pointee.f64_data(raw, &n) else { return nil }
        return UnsafeMutableBufferPointer(start: p, count: n)
    }
    /// Numbers of a list or f64 array, copied out.
    public var numbers: [Double] {
        if let d = doubles { return Array(d) }
        return (0..<count).compactMap { self[$0]?.double }
    }
    /// Keys of a map, in order.
    public var keys: [String] { (0..<count).compactMap { hostTable.pointee.map_key_at(raw, $0).map { String(cString: $0) } } }
}
