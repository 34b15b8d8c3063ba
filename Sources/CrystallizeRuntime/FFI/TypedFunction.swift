import CFFI
import Foundation

/// A plain C function called through libffi by its declared signature.
///
/// The call interface is prepared once, when the step is planned, and kept for the life of the
/// process; each call only fills argument slots. An `f64[]` parameter is two C arguments,
/// `double *values, int64_t count`, pointing at the shared array so the function fills it in
/// place.
public final class TypedFunction {
    /// The declared parameters, in C argument order.
    public let params: [ParamSpec]
    /// The declared return type; nil for void.
    public let returnType: ParamType?
    private let fn: UnsafeMutableRawPointer
    /// The call interface, at a fixed address: libffi is handed a pointer to it on every call,
    /// which on a stored `var` would be a checked inout access each time.
    private let cif: UnsafeMutablePointer<ffi_cif> = { let p = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1); p.initialize(to: ffi_cif()); return p }()
    private let argTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    private let argCount: Int

    /// Prepares a call interface for `fn`; `what` names it in errors.
    public init(fn: UnsafeMutableRawPointer, params: [ParamSpec], returnType: ParamType?, what: String) throws {
        self.fn = fn
        self.params = params
        self.returnType = returnType
        var types: [UnsafeMutablePointer<ffi_type>?] = []
        for p in params {
            switch p.type {
            case .bool: types.append(TypedFunction.ffiType(\.sint32))
            case .i64: types.append(TypedFunction.ffiType(\.sint64))
            case .f64: types.append(TypedFunction.ffiType(\.double))
            case .string: types.append(TypedFunction.ffiType(\.pointer))
            case .f64Array: types.append(TypedFunction.ffiType(\.pointer)); types.append(TypedFunction.ffiType(\.sint64))
            default: throw PluginError(message: "\(what): parameter '\(p.name)' has type \(p.type.rawValue), which a typed C function cannot take (use bool, i64, f64, string or f64[])")
            }
        }
        argCount = types.count
        argTypes = .allocate(capacity: max(types.count, 1))
        argTypes.initialize(from: types, count: types.count)
        let rtype: UnsafeMutablePointer<ffi_type>
        switch returnType {
        case nil: rtype = TypedFunction.ffiType(\.void)
        case .bool?: rtype = TypedFunction.ffiType(\.sint32)
        case .i64?: rtype = TypedFunction.ffiType(\.sint64)
        case .f64?: rtype = TypedFunction.ffiType(\.double)
        default: throw PluginError(message: "\(what): return type \(returnType!.rawValue) is not supported (use void, bool, i64 or f64)")
        }
        let status = ffi_prep_cif(cif, FFI_DEFAULT_ABI, UInt32(argCount), rtype, argTypes)
        guard status == FFI_OK else { throw PluginError(message: "\(what): libffi could not prepare the call (status \(status.rawValue))") }
    }

    deinit {
        cif.deinitialize(count: 1)
        cif.deallocate()
        argTypes.deallocate()
    }

    /// Calls the function with one value per declared parameter (already resolved and
    /// type-checked). Returns the result, or nil for void.
    public func call(_ args: [Value]) -> Value? { args.withUnsafeBufferPointer { call($0) } }

    /// `call` with the arguments in caller-owned memory (the pipeline keeps them on the stack).
    func call(_ args: UnsafeBufferPointer<Value>) -> Value? {
        // Each C argument gets an 8-byte slot on the stack; only string arguments allocate.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(argCount, 1) + 2) { slots in
            withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: max(argCount, 1)) { argPointers in
                let base = UnsafeMutableRawPointer(slots.baseAddress!)
                var cStrings: [ContiguousArray<CChar>] = []
                var slot = 0
                for (i, p) in params.enumerated() {
                    let at = base + slot * 8
                    switch (p.type, args[i]) {
                    case (.bool, let v): at.storeBytes(of: Int32(v.asDouble.map { $0 != 0 ? 1 : 0 } ?? 0), as: Int32.self)
                    case (.i64, .int(let x)): at.storeBytes(of: x, as: Int64.self)
                    case (.i64, let v): at.storeBytes(of: Int64(v.asDouble ?? 0), as: Int64.self)
                    case (.f64, let v): at.storeBytes(of: v.asDouble ?? .nan, as: Double.self)
                    case (.string, .string(let s)):
                        cStrings.append(ContiguousArray(s.utf8CString))
                        at.storeBytes(of: UInt64(UInt(bitPattern: cStrings[cStrings.count - 1].withUnsafeBufferPointer { $0.baseAddress })), as: UInt64.self)
                    case (.f64Array, .doubles(let a)):
                        // `args` keeps the array alive for the whole call.
                        at.storeBytes(of: UInt64(UInt(bitPattern: a.base)), as: UInt64.self)
                        slot += 1
                        (base + slot * 8).storeBytes(of: Int64(a.count), as: Int64.self)
                    default: break
                    }
                    slot += 1
                }
                for i in 0..<argCount { argPointers[i] = base + i * 8 }
                let result = base + max(argCount, 1) * 8
                result.storeBytes(of: 0, as: UInt64.self)
                ffi_call(cif, unsafeBitCast(fn, to: (@convention(c) () -> Void).self), result, argPointers.baseAddress)
                withExtendedLifetime(cStrings) {}
                let raw = result.load(as: UInt64.self)
                switch returnType {
                case nil: return nil
                case .f64?: return .double(Double(bitPattern: raw))
                case .i64?: return .int(Int64(bitPattern: raw))
                // Narrow integer returns come back widened to ffi_arg: read only the low 32 bits.
                case .bool?: return .bool(UInt32(truncatingIfNeeded: raw) != 0)
                default: return nil
                }
            }
        }
    }

    private struct FFITypes {
        var sint32 = withUnsafeMutablePointer(to: &ffi_type_sint32) { $0 }
        var sint64 = withUnsafeMutablePointer(to: &ffi_type_sint64) { $0 }
        var double = withUnsafeMutablePointer(to: &ffi_type_double) { $0 }
        var pointer = withUnsafeMutablePointer(to: &ffi_type_pointer) { $0 }
        var void = withUnsafeMutablePointer(to: &ffi_type_void) { $0 }
    }
    nonisolated(unsafe) private static let types = FFITypes()
    private static func ffiType(_ k: KeyPath<FFITypes, UnsafeMutablePointer<ffi_type>>) -> UnsafeMutablePointer<ffi_type> { types[keyPath: k] }
}
