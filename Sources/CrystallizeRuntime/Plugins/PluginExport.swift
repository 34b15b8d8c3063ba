import CCrystallize

/// What an export is, as written in config.yaml and printed by `inspect`.
public enum ExportKind: String, CaseIterable {
    case step, datasource, verifier, strategy, hook, codec, optimizer

    init?(raw: crys_kind) {
        switch raw {
        case CRYS_KIND_STEP: self = .step
        case CRYS_KIND_DATASOURCE: self = .datasource
        case CRYS_KIND_VERIFIER: self = .verifier
        case CRYS_KIND_STRATEGY: self = .strategy
        case CRYS_KIND_HOOK: self = .hook
        case CRYS_KIND_ARTIFACT_CODEC: self = .codec
        case CRYS_KIND_OPTIMIZER: self = .optimizer
        default: return nil
        }
    }
}

/// The declared type of a parameter.
public enum ParamType: String {
    case any, bool, i64, f64, string, bytes, list, map, f64Array = "f64[]"

    init?(raw: crys_type) {
        switch raw {
        case CRYS_T_ANY: self = .any
        case CRYS_T_BOOL: self = .bool
        case CRYS_T_I64: self = .i64
        case CRYS_T_F64: self = .f64
        case CRYS_T_STRING: self = .string
        case CRYS_T_BYTES: self = .bytes
        case CRYS_T_LIST: self = .list
        case CRYS_T_MAP: self = .map
        case CRYS_T_F64_ARRAY: self = .f64Array
        default: return nil
        }
    }

    /// Whether `value` may fill a parameter of this type (ints widen to f64).
    public func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.any, _): return true
        case (.bool, .bool), (.i64, .int), (.f64, .double), (.f64, .int), (.string, .string),
             (.bytes, .bytes), (.list, .list), (.map, .map), (.f64Array, .doubles): return true
        case (.f64Array, .list): return value.asDoubles != nil
        default: return false
        }
    }
}

/// A declared parameter.
public struct ParamSpec {
    /// Parameter name.
    public var name: String
    /// Declared type.
    public var type: ParamType
    /// The default, when the parameter is optional.
    public var defaultValue: Value?
    /// One-line documentation.
    public var doc: String?
}

/// One export of a loaded plugin, copied out of its descriptor.
public struct PluginExport {
    /// What it is.
    public var kind: ExportKind
    /// Its name within the plugin.
    public var name: String
    /// "plugin.name", always unambiguous.
    public var qualifiedName: String
    /// One-line documentation.
    public var doc: String?
    /// Declared parameters, in order.
    public var params: [ParamSpec]
    /// May its outputs be cached?
    public var cacheable: Bool
    /// May it run on several threads at once?
    public var threadSafe: Bool
    /// Is it an asynchronous step?
    public var isAsync: Bool
    /// Is it a plain C function called through libffi?
    public var isTyped: Bool
    /// The return type of a typed function (nil for void).
    public var typedReturn: ParamType?
    /// Hook event bits.
    public var hookEvents: UInt32
    /// The raw descriptor entry, normalized to this host's struct size.
    let raw: crys_export
    /// The plugin it came from.
    public unowned let plugin: LoadedPlugin
}
