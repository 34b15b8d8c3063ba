/// Typed, throwing parameter access: a parameter that is missing or of another type is an
/// error naming it, never a crash (`param(...)!`) or a silent NaN.
extension StepContext {
    /// The parameter `name`, or an error saying it is not there.
    public func required(_ name: String) throws -> HostValue {
        guard let v = param(name) else { throw PluginFailure("parameter '\(name)' is not set (declare it with a default, or set it under params: in config.yaml)") }
        return v
    }

    /// The number parameter `name` (f64, or an i64 read as f64).
    public func f64(_ name: String) throws -> Double {
        let v = try required(name)
        guard let d = v.checkedDouble else { throw PluginFailure("parameter '\(name)' must be a number, got \(v.typeName)") }
        return d
    }

    /// The integer parameter `name`.
    public func i64(_ name: String) throws -> Int64 {
        let v = try required(name)
        guard let i = v.checkedInt else { throw PluginFailure("parameter '\(name)' must be an integer, got \(v.typeName)") }
        return i
    }

    /// The integer parameter `name` as an `Int`.
    public func int(_ name: String) throws -> Int { Int(try i64(name)) }

    /// The boolean parameter `name`.
    public func bool(_ name: String) throws -> Bool {
        let v = try required(name)
        guard let b = v.checkedBool else { throw PluginFailure("parameter '\(name)' must be true or false, got \(v.typeName)") }
        return b
    }

    /// The string parameter `name`.
    public func string(_ name: String) throws -> String {
        let v = try required(name)
        guard let s = v.string, v.type == CRYS_T_STRING else { throw PluginFailure("parameter '\(name)' must be a string, got \(v.typeName)") }
        return s
    }
}

extension HostValue {
    /// The value's type as config.yaml and error messages spell it.
    public var typeName: String {
        switch type {
        case CRYS_T_NULL: return "null"
        case CRYS_T_BOOL: return "bool"
        case CRYS_T_I64: return "i64"
        case CRYS_T_F64: return "f64"
        case CRYS_T_STRING: return "string"
        case CRYS_T_BYTES: return "bytes"
        case CRYS_T_LIST: return "list"
        case CRYS_T_MAP: return "map"
        case CRYS_T_F64_ARRAY: return "f64[]"
        default: return "type \(type)"
        }
    }
}

extension PluginBuilder {
    /// A plain C function called through libffi by its declared signature, given as itself
    /// (`typedStep("scale", function: scaleNumbers as @convention(c) (...) -> Void, ...)`):
    /// the SDK turns it into the header's function-pointer type, after checking it is one
    /// (a Swift closure, twice the size, is refused at once).
    @discardableResult
    public func typedStep<Function>(_ name: String, doc: String? = nil, cFunction: Function, returns: crys_type, params: [Param],
                                    kind: crys_kind = CRYS_KIND_STEP, cacheable: Bool = false) -> PluginBuilder {
        precondition(MemoryLayout<Function>.size == MemoryLayout<crys_any_fn>.size,
                     "typedStep '\(name)': cFunction must be a @convention(c) function, not a Swift closure")
        return typedStep(name, doc: doc, function: unsafeBitCast(cFunction, to: crys_any_fn.self), returns: returns, params: params,
                         kind: kind, cacheable: cacheable)
    }
}
