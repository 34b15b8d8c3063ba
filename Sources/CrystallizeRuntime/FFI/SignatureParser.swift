/// Parses a C signature written in config.yaml, e.g. `f64 pow(f64 data, f64 exponent = 2)`.
///
/// Types are the ABI's names: void (return only), bool, i64, f64, string, f64[].
public enum SignatureParser {
    /// The parsed return type (nil = void), function name and parameters.
    public static func parse(_ text: String) throws -> (returnType: ParamType?, name: String, params: [ParamSpec]) {
        func fail(_ why: String) -> PluginError { PluginError(message: "signature '\(text)': \(why)") }
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close else {
            throw fail("expected 'type name(type param, ...)'")
        }
        let head = text[..<open].split(separator: " ").map(String.init)
        guard head.count == 2 else { throw fail("expected a return type and a name before '('") }
        let ret: ParamType?
        if head[0] == "void" { ret = nil } else {
            guard let t = ParamType(rawValue: head[0]), [.bool, .i64, .f64].contains(t) else { throw fail("unknown return type '\(head[0])' (void, bool, i64, f64)") }
            ret = t
        }
        var params: [ParamSpec] = []
        let inner = text[text.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
        if !inner.isEmpty && inner != "void" {
            for part in inner.split(separator: ",") {
                let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                let decl = pieces[0].split(separator: " ").map(String.init)
                guard decl.count == 2, let t = ParamType(rawValue: decl[0]), t != .any else {
                    throw fail("parameter '\(pieces[0])' must be 'type name' with type bool, i64, f64, string or f64[]")
                }
                if params.contains(where: { $0.name == decl[1] }) { throw fail("parameter '\(decl[1])' appears twice") }
                var def: Value? = nil
                if pieces.count == 2 {
                    do { def = try JSONText.parse(pieces[1]) } catch { throw fail("default of '\(decl[1])' is not JSON: \(error)") }
                }
                params.append(ParamSpec(name: decl[1], type: t, defaultValue: def, doc: nil))
            }
        }
        return (ret, head[1], params)
    }
}

import Foundation
