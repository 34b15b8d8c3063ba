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
            throw ConfigError(file: file, line: nil, path: "", "invalid YAML: \(e)")
        }
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
        guard case .scalar(let s) = node, Tag.Name(rawValue: node.tag.rawValue) == .int, let i = node.int else { throw error("expected an integer, got \(kind)") }
        return i
    }

    func bool() throws -> Bool {
        guard case .scalar(let s) = node, Tag.Name(rawValue: node.tag.rawValue) == .bool, let b = node.bool else { throw error("expected true or false, got \(kind)") }
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
