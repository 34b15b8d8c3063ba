import Foundation
import OrderedCollections

/// One `--set KEY=VALUE` from the command line (Hydra's `key=value`): a step or datasource
/// parameter (`add_delta.delta=3`), a treatment value (`treatments.add_ten.delta=5`), or
/// `replicates=` / `seed=`. The value stays text until the planner knows the declared type.
public struct SettingOverride: Codable, Equatable, CustomStringConvertible {
    /// What the key addresses.
    public enum Target: Equatable {
        /// `replicates=N`.
        case replicates
        /// `seed=N`.
        case seed
        /// `step.param=value`.
        case parameter(step: String, param: String)
        /// `treatments.NAME.key=value`.
        case treatment(name: String, key: String)
    }

    /// The key as written.
    public var key: String
    /// The value as written.
    public var text: String

    /// `KEY=VALUE` as given to `--set`; nil-free: a missing `=` or an empty key is an error.
    public init(parsing argument: String) throws {
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
            throw SettingError("--set '\(argument)': expected KEY=VALUE, e.g. add_delta.delta=3, treatments.add_ten.delta=5, replicates=20 or seed=7")
        }
        key = String(argument[..<eq]).trimmingCharacters(in: .whitespaces)
        text = String(argument[argument.index(after: eq)...])
        _ = try target()
    }

    /// `KEY=VALUE`.
    public var description: String { "\(key)=\(text)" }

    /// What the key addresses, or an error saying which forms exist.
    public func target() throws -> Target {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts == ["replicates"] { return .replicates }
        if parts == ["seed"] { return .seed }
        if parts.first == "treatments" {
            guard parts.count == 3, !parts[1].isEmpty, !parts[2].isEmpty else {
                throw SettingError("--set '\(self)': a treatment value is written treatments.NAME.key=value")
            }
            return .treatment(name: parts[1], key: parts[2])
        }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw SettingError("--set '\(self)': unknown key '\(key)'; keys are step.param, treatments.NAME.key, replicates and seed")
        }
        return .parameter(step: parts[0], param: parts[1])
    }

    /// The value read as YAML would read it (ints, floats, booleans, lists, maps, else text).
    public var untypedValue: Value {
        (try? YAMLNode.parse(text, file: "--set").value()) ?? .string(text)
    }

    /// The value as a `type`, or an error naming the key, the type and the text.
    public func value(as type: ParamType, what: String) throws -> Value {
        let t = text.trimmingCharacters(in: .whitespaces)
        let typed: Value?
        switch type {
        case .string: typed = .string(text)
        case .i64: typed = Int64(t).map(Value.int)
        case .f64: typed = Double(t).map(Value.double)
        case .bool: typed = ["true", "yes", "on", "1"].contains(t.lowercased()) ? .bool(true) : ["false", "no", "off", "0"].contains(t.lowercased()) ? .bool(false) : nil
        default:
            let v = untypedValue
            typed = type.accepts(v) ? v : nil
        }
        guard let typed else { throw SettingError("--set '\(self)': \(what) must be \(type.rawValue), got '\(text)'") }
        return typed
    }

    /// A non-negative integer (for replicates and seed).
    func integer(minimum: Int64) throws -> Int64 {
        guard let i = Int64(text.trimmingCharacters(in: .whitespaces)), i >= minimum else {
            throw SettingError("--set '\(self)': \(key) must be an integer of at least \(minimum), got '\(text)'")
        }
        return i
    }

    private enum CodingKeys: String, CodingKey { case key, text }
}

/// A `--set` that names something that does not exist or has the wrong type.
public struct SettingError: Error, CustomStringConvertible {
    /// The message, naming the key and what exists.
    public var description: String
    /// An error.
    public init(_ description: String) { self.description = description }
}
