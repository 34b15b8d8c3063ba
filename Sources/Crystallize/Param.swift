/// A parameter declaration: name, type, default (as JSON text) and doc.
public struct Param {
    let name: String
    let type: crys_type
    let defaultJSON: String?
    let doc: String?

    /// Any value.
    public static func any(_ name: String, defaultJSON: String? = nil, doc: String? = nil) -> Param { Param(name: name, type: CRYS_T_ANY, defaultJSON: defaultJSON, doc: doc) }
    /// A float.
    public static func f64(_ name: String, default d: Double? = nil, doc: String? = nil) -> Param {
        Param(name: name, type: CRYS_T_F64, defaultJSON: d.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(format: "%.1f", $0) : "\($0)" }, doc: doc)
    }
    /// An integer.
    public static func i64(_ name: String, default d: Int64? = nil, doc: String? = nil) -> Param { Param(name: name, type: CRYS_T_I64, defaultJSON: d.map { "\($0)" }, doc: doc) }
    /// A boolean.
    public static func bool(_ name: String, default d: Bool? = nil, doc: String? = nil) -> Param { Param(name: name, type: CRYS_T_BOOL, defaultJSON: d.map { $0 ? "true" : "false" }, doc: doc) }
    /// A string.
    public static func string(_ name: String, default d: String? = nil, doc: String? = nil) -> Param {
        Param(name: name, type: CRYS_T_STRING, defaultJSON: d.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }, doc: doc)
    }
    /// A dense f64 array (for typed functions: two C arguments, pointer and count).
    public static func f64Array(_ name: String, doc: String? = nil) -> Param { Param(name: name, type: CRYS_T_F64_ARRAY, defaultJSON: nil, doc: doc) }

    var c: crys_param {
        crys_param(size: UInt32(MemoryLayout<crys_param>.size), type: type, name: permanent(name), default_json: permanent(defaultJSON), doc: permanent(doc))
    }
}

import Foundation
