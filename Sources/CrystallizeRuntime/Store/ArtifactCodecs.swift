import CCrystallize
import Foundation

/// Turns output values into file bytes and back: built-in `bytes`, `text` and `json`, or a
/// plugin's codec export.
public enum ArtifactCodecs {
    /// The built-in codec names.
    public static let builtins = ["bytes", "text", "json"]

    /// Encodes `value` for `spec`.
    public static func encode(_ value: Value, spec: OutputSpec) throws -> [UInt8] {
        switch spec.codec {
        case "bytes":
            switch value {
            case .bytes(let b): return b
            case .string(let s): return Array(s.utf8)
            default: throw StoreError("output '\(spec.name)' uses the bytes writer but got \(value.typeName)")
            }
        case "text":
            if case .string(let s) = value { return Array(s.utf8) }
            throw StoreError("output '\(spec.name)' uses the text writer but got \(value.typeName)")
        case "json":
            return Array(JSONText.encode(value).utf8)
        default:
            guard let e = spec.pluginCodec, let fn = e.raw.encode else {
                throw StoreError("output '\(spec.name)': codec '\(spec.codec)' has no writer")
            }
            let frame = CallFrame(exportName: e.qualifiedName, context: nil, params: [:], rng: SeededGenerator(seed: 0))
            let box = frame.borrow(value)
            var out: OpaquePointer? = nil
            guard fn(frame.pointer, box.pointer, &out, e.raw.user) == CRYS_OK else {
                throw StoreError("output '\(spec.name)': writer '\(e.qualifiedName)' failed: \(frame.error ?? "no message")")
            }
            switch ValueBox.from(out)?.value {
            case .bytes(let b)?: return b
            case .string(let s)?: return Array(s.utf8)
            default: throw StoreError("output '\(spec.name)': writer '\(e.qualifiedName)' must return bytes or a string")
            }
        }
    }

    /// Decodes file bytes for `spec`; `path` names the file in errors.
    public static func decode(_ bytes: [UInt8], spec: OutputSpec, path: String) throws -> Value {
        switch spec.codec {
        case "bytes": return .bytes(bytes)
        case "text":
            guard let s = String(bytes: bytes, encoding: .utf8) else { throw StoreError("\(path) is not UTF-8 text") }
            return .string(s)
        case "json":
            guard let s = String(bytes: bytes, encoding: .utf8) else { throw StoreError("\(path) is not UTF-8 text") }
            do { return try JSONText.parse(s) } catch { throw StoreError("\(path): \(error)") }
        default:
            guard let e = spec.pluginCodec, let fn = e.raw.decode else {
                throw StoreError("output '\(spec.name)': codec '\(spec.codec)' has no loader")
            }
            let frame = CallFrame(exportName: e.qualifiedName, context: nil, params: [:], rng: SeededGenerator(seed: 0))
            var out: OpaquePointer? = nil
            let status = bytes.withUnsafeBytes { fn(frame.pointer, $0.baseAddress, bytes.count, &out, e.raw.user) }
            guard status == CRYS_OK else { throw StoreError("\(path): loader '\(e.qualifiedName)' failed: \(frame.error ?? "no message")") }
            return ValueBox.from(out)?.value ?? .null
        }
    }
}
