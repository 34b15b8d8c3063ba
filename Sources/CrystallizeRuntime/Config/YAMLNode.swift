import OrderedCollections
import Yams

/// A YAML node with its file and key path, so every error can say exactly where it is.
struct YAMLNode {
    let node: Node
    let file: String
    let path: String

    var line: Int? { node.mark.map { $0.line } }

    func error(_ message: String) -> ConfigError { ConfigError(file: file, line: line, path: path, message) }

    func child(_ key: String, _ n: Node) -> YAMLNode { YAMLNode(node: n, file: file, path: path.isEmpty ? key : "\(path).\(key)") }

    /// Parses `text` from `file`.
    static func parse(_ text: String, file: String) throws -> YAMLNode {
        do {
            guard let n = try Yams.compose(yaml: text) else { throw ConfigError(file: file, line: nil, path: "", "the file is empty") }
            return YAMLNode(node: n, file: file, path: "")
        } catch let e as ConfigError { throw e } catch let e as YamlError {
            throw located(e, file: file, text: text)
        }
    }

    /// Yams's own messages put the position mid-text and, for duplicate keys, dump the whole
    /// file; this gives the "file:line: message" every other config error has.
    static func located(_ e: YamlError, file: String, text: String) -> ConfigError {
        switch e {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return ConfigError(file: file, line: mark.line, path: "", "invalid YAML: \(problem) at column \(mark.column)\(during)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            let line = repeatLine(of: key, after: context.mark, in: text) ?? context.mark.line
            return ConfigError(file: file, line: line, path: "", "key '\(key)' appears twice in the same mapping (first at line \(context.mark.line))")
        default:
            return ConfigError(file: file, line: nil, path: "", "invalid YAML: \(e)")
        }
    }

    /// The line of the second `key:` at the first one's column, for block mappings; nil when
    /// it cannot be found (flow mappings), so the caller falls back to the first line.
    static func repeatLine(of key: String, after first: Mark, in text: String) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let indent = String(repeating: " ", count: max(first.column - 1, 0))
        guard first.line < lines.count else { return nil }
        for i in first.line..<lines.count {
            let l = lines[i]
            guard l.hasPrefix(indent) else { continue }
            let rest = l.dropFirst(indent.count)
            for q in ["", "'", "\""] where rest.hasPrefix(q + key + q) {
                let after = rest.dropFirst(key.count + 2 * q.count).drop { $0 == " " }
                if after.hasPrefix(":") { return i + 1 }
            }
        }
        return nil
    }

    var isNull: Bool { if case .scalar(let s) = node { return Tag.Name(rawValue: node.tag.rawValue) == .null || (s.string.isEmpty && s.style == .plain) }; return false }

    /// The entries of a mapping, in order; duplicate keys are errors.
    func mapping(_ what: String = "a mapping") throws -> [(key: String, node: YAMLNode)] {
        guard case .mapping(let m) = node else { throw error("expected \(what), got \(kind)") }
        var seen = Set<String>()
        return try m.map { k, v in
            guard case .scalar(let ks) = k else { throw error("keys must be strings") }
            guard seen.insert(ks.string).inserted else { throw YAMLNode(node: k, file: file, path: path).error("key '\(ks.string)' appears twice") }
            return (ks.string, child(ks.string, v))
        }
    }

    /// Elements of a sequence.
    func sequence(_ what: String = "a list") throws -> [YAMLNode] {
        guard case .sequence(let s) = node else { throw error("expected \(what), got \(kind)") }
        return s.enumerated().map { i, n in YAMLNode(node: n, file: file, path: "\(path)[\(i)]") }
    }

    var kind: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s):
            switch Tag.Name(rawValue: node.tag.rawValue) { case .int: return "an integer"; case .float: return "a number"; case .bool: return "a boolean"; case .null: return "null"; default: return "a string ('\(s.string)')" }
        case .alias: return "an alias"
        }
    }

    func string() throws -> String {
        guard case .scalar(let s) = node, Tag.Name(rawValue: node.tag.rawValue) == .str || Tag.Name(rawValue: node.tag.rawValue) == .int || Tag.Name(rawValue: node.tag.rawValue) == .float else { throw error("expected a string, got \(kind)") }
        return s.string
    }

    func int() throws -> Int {
        guard case .scalar(let s) = node, Tag.Name(rawValue: node.tag.rawValue) == .int else { throw error("expected an integer, got \(kind)") }
        guard let i = node.int else { throw error("integer \(s.string) is out of range (at most \(Int.max))") }
        return i
    }

    func bool() throws -> Bool {
        guard case .scalar = node, Tag.Name(rawValue: node.tag.rawValue) == .bool, let b = node.bool else { throw error("expected true or false, got \(kind)") }
        return b
    }

    /// Any YAML value as a `Value` (ints stay ints, floats become f64).
    func value() throws -> Value {
        switch node {
        case .scalar(let s):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return .bool(node.bool ?? false)
            case .int: if let i = node.int { return .int(Int64(i)) }; return .string(s.string)
            case .float: if let d = node.float { return .double(d) }; return .string(s.string)
            default: return .string(s.string)
            }
        case .sequence: return .list(try sequence().map { try $0.value() })
        case .mapping:
            var m = OrderedDictionary<String, Value>()
            for (k, v) in try mapping() { m[k] = try v.value() }
            return .map(m)
        case .alias: throw error("YAML aliases are not supported")
        }
    }

    /// A mapping of parameter values.
    func params() throws -> OrderedDictionary<String, Value> {
        if isNull { return [:] }
        var out = OrderedDictionary<String, Value>()
        for (k, v) in try mapping("a mapping of parameters") { out[k] = try v.value() }
        return out
    }

    /// Refuses keys other than `allowed`, listing them.
    func checkKeys(_ allowed: [String]) throws {
        for (k, v) in try mapping() where !allowed.contains(k) {
            throw v.error("unknown key '\(k)'; allowed here: \(allowed.joined(separator: ", "))")
        }
    }
}
