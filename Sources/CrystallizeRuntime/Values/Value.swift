import OrderedCollections

/// A value that flows between steps, lives in the context or is recorded as a metric.
///
/// It mirrors the ABI's value kinds one to one. Everything is a value type except
/// `DoubleArray`, which is shared on purpose: large numeric data moves between steps
/// without being copied, and a step may fill it in place.
public enum Value: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([Value])
    case map(OrderedDictionary<String, Value>)
    case doubles(DoubleArray)

    /// A short type name for messages ("f64", "map", ...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "i64"
        case .double: return "f64"
        case .string: return "string"
        case .bytes: return "bytes"
        case .list: return "list"
        case .map: return "map"
        case .doubles: return "f64[]"
        }
    }

    /// The value as a number, when it is one (bool counts as 0/1, as in Python).
    public var asDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The value as a list of numbers, when it is a numeric list or an f64 array.
    public var asDoubles: [Double]? {
        switch self {
        case .doubles(let a): return a.values
        case .list(let items):
            var out: [Double] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard let d = item.asDouble else { return nil }
                out.append(d)
            }
            return out
        default: return nil
        }
    }

    /// A deep copy whose f64 arrays are new buffers, so later in-place fills do not reach it.
    public func detached() -> Value {
        switch self {
        case .doubles(let a): return .doubles(DoubleArray.copy(of: a.values))
        case .list(let items): return .list(items.map { $0.detached() })
        case .map(let m): return .map(m.mapValues { $0.detached() })
        default: return self
        }
    }
}

/// A dense, shared, mutable float64 array.
///
/// It is a class so that passing it from step to step never copies the elements, and a plugin
/// can write into the very storage the next step reads (through `f64_data`): a Swift array
/// gives no stable pointer to hand across the ABI. The elements live in the object itself
/// (a `ManagedBuffer`, its header the count), so an array is one allocation, not two.
public final class DoubleArray: ManagedBuffer<Int, Double>, Equatable {
    /// A zero-filled array of `count` elements.
    public static func zeros(_ count: Int) -> DoubleArray {
        let a = uninitialized(count)
        a.base.initialize(repeating: 0, count: max(count, 1))
        return a
    }

    /// A copy of `values`.
    public static func copy(of values: [Double]) -> DoubleArray {
        let a = uninitialized(values.count)
        values.withUnsafeBufferPointer { src in
            if let s = src.baseAddress, !src.isEmpty { a.base.initialize(from: s, count: src.count) } else { a.base.initialize(to: 0) }
        }
        return a
    }

    /// An array of `count` elements (room for at least one) whose storage the caller initializes.
    private static func uninitialized(_ count: Int) -> DoubleArray {
        unsafeDowncast(create(minimumCapacity: max(count, 1)) { _ in count }, to: DoubleArray.self)
    }

    /// The number of elements.
    public var count: Int { header }

    /// The storage, valid while this object lives (it is the object's own tail).
    public var base: UnsafeMutablePointer<Double> { withUnsafeMutablePointerToElements { $0 } }

    /// The elements, copied out.
    public var values: [Double] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Element-wise equality, as for any other value.
    public static func == (lhs: DoubleArray, rhs: DoubleArray) -> Bool {
        if lhs === rhs { return true }
        guard lhs.count == rhs.count else { return false }
        for i in 0..<lhs.count where lhs.base[i] != rhs.base[i] { return false }
        return true
    }
}
