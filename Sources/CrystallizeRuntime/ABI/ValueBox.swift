import CCrystallize
import OrderedCollections

/// The host-side object behind a `crys_value *`.
///
/// Boxes are owned by the call frame (or parent box) that made them, so a plugin never frees
/// anything: when the call ends the frame takes its boxes back, and a box is valid until then.
/// Frames recycle their boxes, so everything a box caches is cleared by `recycle`.
final class ValueBox {
    // The fields marked @exclusivity(unchecked) are read and written by every call that lends or
    // reads a value, on the call's thread; their run-time checks pay: bench/run.sh's "trivial
    // 10,000 serial" line (per-replicate overhead). See docs/ARCHITECTURE.md, "Unsafe constructs".

    @exclusivity(unchecked) var value: Value
    /// Lent for reading only (a context value, a parameter, a verifier's or hook's input):
    /// `f64_data` gives such a box a private copy before handing out a writable pointer, so a
    /// plugin can never change what the context, the config or the metrics hold.
    @exclusivity(unchecked) var readOnly = false
    private var childBoxes: [Int: ValueBox] = [:]
    private var cString: ContiguousArray<CChar>?
    private var keyCStrings: [Int: ContiguousArray<CChar>] = [:]
    private var retired: [ValueBox] = []
    /// Whether any of the caches above holds something (recycling then has work to do).
    @exclusivity(unchecked) private var cached = false

    init(_ value: Value) { self.value = value }

    var pointer: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ p: OpaquePointer?) -> ValueBox? {
        guard let p else { return nil }
        return Unmanaged<ValueBox>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
    }

    /// `body` applied to the box behind `p` (`none` when null), without retaining the box: the
    /// frame that lent it keeps it alive for the whole call, and readers run on every value a
    /// plugin touches.
    @inline(__always)
    static func peek<R>(_ p: OpaquePointer?, _ none: R, _ body: (ValueBox) -> R) -> R { peekObject(p, none, body) }

    /// Empties the box for reuse by a later call.
    func recycle() {
        value = .null
        readOnly = false
        guard cached else { return }
        cached = false
        if !childBoxes.isEmpty { childBoxes = [:] }
        if cString != nil { cString = nil }
        if !keyCStrings.isEmpty { keyCStrings = [:] }
        if !retired.isEmpty { retired = [] }
    }

    /// A borrowed child box, kept alive by this box.
    func child(_ index: Int, _ make: () -> Value) -> ValueBox {
        if let b = childBoxes[index] { return b }
        cached = true
        let b = ValueBox(make())
        b.readOnly = readOnly
        childBoxes[index] = b
        return b
    }

    /// The elements of the box's f64 array, writable: a read-only box first swaps in a
    /// private copy (copy on write), which it shows from then on.
    func writableDoubles() -> DoubleArray? {
        guard case .doubles(let a) = value else { return nil }
        guard readOnly else { return a }
        let copy = DoubleArray.copy(of: a.values)
        value = .doubles(copy)
        readOnly = false
        return copy
    }

    func stringPointer() -> UnsafePointer<CChar>? {
        guard case .string(let s) = value else { return nil }
        if cString == nil { cString = ContiguousArray(s.utf8CString); cached = true }
        return cString!.withUnsafeBufferPointer { $0.baseAddress }
    }

    func keyPointer(_ index: Int, _ key: String) -> UnsafePointer<CChar>? {
        if keyCStrings[index] == nil { keyCStrings[index] = ContiguousArray(key.utf8CString); cached = true }
        return keyCStrings[index]!.withUnsafeBufferPointer { $0.baseAddress }
    }

    /// Forgets the cached child at `index` (its entry was replaced) without freeing it: the
    /// plugin may still hold the pointer it got, which stays valid (showing the old value) for
    /// as long as this box lives. Other children and key strings keep their index, because a
    /// map keeps a replaced key in place and appends new ones.
    func retireChild(_ index: Int) {
        if let old = childBoxes.removeValue(forKey: index) { retired.append(old) }
    }
}

/// `body` applied to the host object behind a handle the host gave a plugin (`none` when
/// null), without retaining it: whoever lent the handle keeps the object alive for the call.
@inline(__always)
func peekObject<T: AnyObject, R>(_ p: OpaquePointer?, _ none: R, _ body: (T) -> R) -> R {
    guard let p else { return none }
    return Unmanaged<T>.fromOpaque(UnsafeRawPointer(p))._withUnsafeGuaranteedRef(body)
}
