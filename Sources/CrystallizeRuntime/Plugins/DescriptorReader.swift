import CCrystallize

/// Reads and validates a plugin's descriptor, copying size-prefixed structs into this host's
/// layout: a smaller (older) struct is zero-extended, a larger (newer) one is accepted only
/// when every byte this host does not know is zero (the plugin uses nothing newer).
enum DescriptorReader {
    static func readPlugin(_ p: UnsafePointer<crys_plugin>, path: String) throws -> crys_plugin {
        // Read the fixed prefix first: size and versions sit in the first 8 bytes of every version.
        let raw = UnsafeRawPointer(p)
        let size = Int(raw.load(as: UInt32.self))
        let major = Int(raw.load(fromByteOffset: 4, as: UInt16.self))
        let minor = Int(raw.load(fromByteOffset: 6, as: UInt16.self))
        let host = "\(CRYS_ABI_MAJOR).\(CRYS_ABI_MINOR)"
        if major != Int(CRYS_ABI_MAJOR) {
            throw PluginError(path, "was built for crystallize ABI \(major).\(minor), this host speaks ABI \(host); major versions must match — rebuild the plugin against this host's crystallize.h")
        }
        if minor > Int(CRYS_ABI_MINOR) {
            throw PluginError(path, "needs crystallize ABI \(major).\(minor), newer than this host's \(host); upgrade the host (or rebuild the plugin stating the minor it really needs)")
        }
        var differences: [String] = []
        let known = MemoryLayout<crys_plugin>.size
        if size > known, let at = firstNonZeroByte(raw, from: known, to: size) {
            differences.append("descriptor size \(size) bytes sets byte \(at), beyond the \(known) this host knows (it uses something newer than ABI \(host))")
        }
        if size < 16 { differences.append("descriptor size \(size) bytes is too small") }
        if size >= 12 {
            let ptr = Int(raw.load(fromByteOffset: 8, as: UInt32.self))
            if ptr != MemoryLayout<UnsafeRawPointer>.size {
                differences.append("pointer size \(ptr), host \(MemoryLayout<UnsafeRawPointer>.size)")
            }
        }
        if !differences.isEmpty {
            throw PluginError(path, "ABI \(major).\(minor) (host \(host)) but its descriptor does not match: " + differences.joined(separator: "; "))
        }
        let d: crys_plugin = copyPrefix(raw, size: size)
        guard let name = d.name, !String(cString: name).isEmpty else { throw PluginError(path, "descriptor has a null or empty plugin name") }
        // The name qualifies clashing exports as "Plugin.export": a dot in it would be ambiguous.
        try checkIdentifier(String(cString: name), path: path, what: "plugin name", dots: false)
        if d.export_count > 0 && d.exports == nil { throw PluginError(path, "descriptor lists \(d.export_count) exports but the array is null") }
        return d
    }

    /// The offset of the first non-zero byte in `raw[from..<to]`, if any.
    static func firstNonZeroByte(_ raw: UnsafeRawPointer, from: Int, to: Int) -> Int? {
        guard to > from else { return nil }
        return (from..<to).first { raw.load(fromByteOffset: $0, as: UInt8.self) != 0 }
    }

    static func copyPrefix<T>(_ raw: UnsafeRawPointer, size: Int) -> T {
        let out = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        defer { out.deallocate() }
        out.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        out.copyMemory(from: raw, byteCount: min(size, MemoryLayout<T>.size))
        return out.load(as: T.self)
    }

    static func readExports(_ d: crys_plugin, plugin: LoadedPlugin, path: String) throws -> [PluginExport] {
        guard d.export_count > 0, let base = d.exports else { return [] }
        let raw = UnsafeRawPointer(base)
        let stride = Int(raw.load(as: UInt32.self))
        guard stride >= 16, stride % MemoryLayout<UnsafeRawPointer>.alignment == 0 else {
            throw PluginError(path, "export entries declare size \(stride); this host accepts 16 or more, a multiple of \(MemoryLayout<UnsafeRawPointer>.alignment)")
        }
        var out: [PluginExport] = []
        var seen = Set<String>()
        for i in 0..<Int(d.export_count) {
            let e: crys_export = copyPrefix(raw + i * stride, size: stride)
            let ref = "export #\(i)"
            if let at = firstNonZeroByte(raw + i * stride, from: MemoryLayout<crys_export>.size, to: stride) {
                throw PluginError(path, "\(ref) (size \(stride)) sets byte \(at), beyond the \(MemoryLayout<crys_export>.size) bytes of crys_export this host (ABI \(CRYS_ABI_MAJOR).\(CRYS_ABI_MINOR)) knows")
            }
            guard let cname = e.name else { throw PluginError(path, "\(ref) has a null name") }
            let name = String(cString: cname)
            try checkIdentifier(name, path: path, what: "\(ref) name", dots: false)
            guard seen.insert(name).inserted else { throw PluginError(path, "exports '\(name)' twice") }
            guard let kind = ExportKind(raw: e.kind) else { throw PluginError(path, "export '\(name)' has unknown kind \(e.kind)") }
            let params = try readParams(e, export: name, path: path)
            let isTyped = e.typed != nil
            try checkFunctions(e, kind: kind, name: name, typed: isTyped, path: path)
            var ret: ParamType? = nil
            if isTyped {
                switch e.typed_return {
                case CRYS_T_VOID: ret = nil
                case CRYS_T_BOOL, CRYS_T_I64, CRYS_T_F64: ret = ParamType(raw: e.typed_return)
                default: throw PluginError(path, "typed export '\(name)' returns type \(e.typed_return); allowed: VOID, BOOL, I64, F64")
                }
                for p in params where ![.bool, .i64, .f64, .string, .f64Array].contains(p.type) {
                    throw PluginError(path, "typed export '\(name)' parameter '\(p.name)' has type \(p.type.rawValue); allowed: bool, i64, f64, string, f64[]")
                }
            }
            out.append(PluginExport(
                kind: kind, name: name, qualifiedName: "\(plugin.name).\(name)", doc: e.doc.map { String(cString: $0) },
                params: params, cacheable: e.flags & CRYS_F_CACHEABLE != 0, threadSafe: e.flags & CRYS_F_THREAD_SAFE != 0,
                isAsync: e.flags & CRYS_F_ASYNC != 0, isTyped: isTyped, typedReturn: ret, hookEvents: e.hook_events,
                raw: e, plugin: plugin))
        }
        return out
    }

    private static func checkFunctions(_ e: crys_export, kind: ExportKind, name: String, typed: Bool, path: String) throws {
        let missing: String?
        switch kind {
        case .step, .datasource:
            if e.flags & CRYS_F_ASYNC != 0 { missing = e.call_async == nil ? "call_async (it is flagged ASYNC)" : nil }
            else { missing = (e.call == nil && !typed) ? "call or typed" : nil }
        case .verifier: missing = e.verify == nil ? "verify" : nil
        case .strategy: missing = e.run_loop == nil ? "run_loop" : nil
        case .hook: missing = e.hook == nil ? "hook" : nil
        case .codec: missing = (e.encode == nil && e.decode == nil) ? "encode or decode" : nil
        case .optimizer: missing = try checkOptimizer(e, name: name, path: path)
        }
        if let missing { throw PluginError(path, "\(kind.rawValue) '\(name)' has no \(missing) function") }
    }

    private static func readParams(_ e: crys_export, export: String, path: String) throws -> [ParamSpec] {
        guard e.param_count > 0 else { return [] }
        guard let base = e.params else { throw PluginError(path, "export '\(export)' declares \(e.param_count) parameters but the array is null") }
        let raw = UnsafeRawPointer(base)
        let stride = Int(raw.load(as: UInt32.self))
        guard stride >= 16, stride % MemoryLayout<UnsafeRawPointer>.alignment == 0 else {
            throw PluginError(path, "export '\(export)' parameter entries declare size \(stride); this host accepts 16 or more, a multiple of \(MemoryLayout<UnsafeRawPointer>.alignment)")
        }
        var out: [ParamSpec] = []
        for i in 0..<Int(e.param_count) {
            let p: crys_param = copyPrefix(raw + i * stride, size: stride)
            if let at = firstNonZeroByte(raw + i * stride, from: MemoryLayout<crys_param>.size, to: stride) {
                throw PluginError(path, "export '\(export)' parameter #\(i) (size \(stride)) sets byte \(at), beyond the \(MemoryLayout<crys_param>.size) bytes of crys_param this host knows")
            }
            guard let cname = p.name else { throw PluginError(path, "export '\(export)' parameter #\(i) has a null name") }
            let name = String(cString: cname)
            try checkIdentifier(name, path: path, what: "export '\(export)' parameter #\(i) name", dots: false)
            if out.contains(where: { $0.name == name }) { throw PluginError(path, "export '\(export)' declares parameter '\(name)' twice") }
            guard let type = ParamType(raw: p.type) else { throw PluginError(path, "export '\(export)' parameter '\(name)' has unknown type \(p.type)") }
            var def: Value? = nil
            if let dj = p.default_json {
                do { def = try JSONText.parse(String(cString: dj)) } catch {
                    throw PluginError(path, "export '\(export)' parameter '\(name)' has an invalid default: \(error)")
                }
                if let d = def, !type.accepts(d) {
                    throw PluginError(path, "export '\(export)' parameter '\(name)' is \(type.rawValue) but its default is \(d.typeName)")
                }
            }
            out.append(ParamSpec(name: name, type: type, defaultValue: def, doc: p.doc.map { String(cString: $0) }))
        }
        return out
    }

    static func checkIdentifier(_ s: String, path: String, what: String, dots: Bool) throws {
        let ok = !s.isEmpty && s.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || (dots && $0 == ".") || CharacterSet.alphanumerics.contains($0) }
        if !ok { throw PluginError(path, "\(what) '\(s)' is not a valid name (letters, digits, '_' and '-')") }
    }
}

import Foundation
