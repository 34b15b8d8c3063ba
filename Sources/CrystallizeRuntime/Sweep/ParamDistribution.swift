import Foundation
import OrderedCollections

/// Where one parameter of a random sweep or an optimizer's search space takes its values:
/// `{uniform: [lo, hi]}`, `{loguniform: [lo, hi]}`, `{int: [lo, hi]}` (both ends included),
/// `{normal: [mean, sd]}`, `{choice: [a, b, ...]}`, or a plain list (a choice). A continuous
/// range may add `steps: k` to give the grid optimizer k evenly spaced points.
public enum ParamDistribution: Equatable {
    /// Uniform on [lo, hi).
    case uniform(Double, Double, steps: Int?)
    /// Uniform in log space on [lo, hi); both ends positive.
    case logUniform(Double, Double, steps: Int?)
    /// Integers lo...hi, each equally likely.
    case integer(Int64, Int64)
    /// Normal with mean and standard deviation (no grid).
    case normal(Double, Double)
    /// One of the listed values, each equally likely.
    case choice([Value])

    static let kinds = ["uniform", "loguniform", "int", "normal", "choice"]

    /// Draws one value; one distribution always consumes the same number of draws, so a
    /// space's samples depend only on the seed and the order of the parameters.
    func sample(_ rng: inout SeededGenerator) -> Value {
        switch self {
        case .uniform(let lo, let hi, _): return .double(lo + (hi - lo) * rng.uniform())
        case .logUniform(let lo, let hi, _): return .double(exp(log(lo) + (log(hi) - log(lo)) * rng.uniform()))
        case .integer(let lo, let hi):
            let span = UInt64(hi - lo) + 1
            return .int(lo + Int64(rng.next() % span))
        case .normal(let mean, let sd): return .double(rng.normal(mean: mean, sd: sd))
        case .choice(let values): return values[Int(rng.next() % UInt64(values.count))]
        }
    }

    /// The values a grid visits, or nil when the distribution has no finite grid.
    var gridValues: [Value]? {
        switch self {
        case .choice(let values): return values
        case .integer(let lo, let hi): return hi - lo < 100_000 ? (lo...hi).map { .int($0) } : nil
        case .uniform(let lo, let hi, let steps?):
            return (0..<steps).map { .double(steps == 1 ? lo : lo + (hi - lo) * Double($0) / Double(steps - 1)) }
        case .logUniform(let lo, let hi, let steps?):
            return (0..<steps).map { .double(steps == 1 ? lo : exp(log(lo) + (log(hi) - log(lo)) * Double($0) / Double(steps - 1))) }
        default: return nil
        }
    }

    /// The JSON form written to metadata and optimization.json.
    var json: Value {
        switch self {
        case .uniform(let lo, let hi, let s): return Self.range("uniform", lo, hi, steps: s)
        case .logUniform(let lo, let hi, let s): return Self.range("loguniform", lo, hi, steps: s)
        case .integer(let lo, let hi): return .map(["int": .list([.int(lo), .int(hi)])])
        case .normal(let m, let s): return .map(["normal": .list([.double(m), .double(s)])])
        case .choice(let v): return .map(["choice": .list(v)])
        }
    }

    private static func range(_ kind: String, _ lo: Double, _ hi: Double, steps: Int?) -> Value {
        var m: OrderedDictionary<String, Value> = [kind: .list([.double(lo), .double(hi)])]
        if let steps { m["steps"] = .int(Int64(steps)) }
        return .map(m)
    }

    /// Reads one distribution, with file:line errors naming the parameter.
    static func parse(_ node: YAMLNode, name: String) throws -> ParamDistribution {
        if case .sequence = node.node { return try choice(node, name: name) }
        let entries = try node.mapping("a distribution such as {uniform: [0, 1]}, {loguniform: [1e-4, 1e-1]}, {int: [1, 8]}, {choice: [a, b]} or a list of values")
        var kind: (String, YAMLNode)? = nil
        var steps: Int? = nil
        for (k, v) in entries {
            if k == "steps" {
                let s = try v.int()
                guard s >= 1 else { throw v.error("steps must be at least 1") }
                steps = s
            } else if kinds.contains(k) {
                if let (first, _) = kind { throw v.error("parameter '\(name)' has two distributions ('\(first)' and '\(k)'); give one") }
                kind = (k, v)
            } else {
                throw v.error("unknown distribution '\(k)' for parameter '\(name)'; known: \(kinds.joined(separator: ", ")) (and steps: for uniform/loguniform grids)")
            }
        }
        guard let (k, v) = kind else { throw node.error("parameter '\(name)' needs a distribution: one of \(kinds.joined(separator: ", "))") }
        if steps != nil, k != "uniform", k != "loguniform" { throw v.error("steps: only applies to uniform and loguniform ranges") }
        switch k {
        case "choice": return try choice(v, name: name)
        case "int":
            let (lo, hi) = try pair(v, name: name, kind: k) { try $0.int() }
            guard lo <= hi else { throw v.error("int range of '\(name)' has low \(lo) above high \(hi)") }
            return .integer(Int64(lo), Int64(hi))
        default:
            let (a, b) = try pair(v, name: name, kind: k) { n -> Double in
                guard let d = try n.value().asDouble, case .scalar = n.node, (try? n.bool()) == nil else { throw n.error("expected a number, got \(n.kind)") }
                return d
            }
            switch k {
            case "uniform":
                guard a < b else { throw v.error("uniform range of '\(name)' needs low < high, got [\(a), \(b)]") }
                return .uniform(a, b, steps: steps)
            case "loguniform":
                guard a > 0, a < b else { throw v.error("loguniform range of '\(name)' needs 0 < low < high, got [\(a), \(b)]") }
                return .logUniform(a, b, steps: steps)
            default:
                guard b >= 0 else { throw v.error("normal of '\(name)' needs a non-negative standard deviation, got \(b)") }
                return .normal(a, b)
            }
        }
    }

    private static func choice(_ v: YAMLNode, name: String) throws -> ParamDistribution {
        let items = try v.sequence("a list of values")
        guard !items.isEmpty else { throw v.error("parameter '\(name)' has an empty list of values") }
        return .choice(try items.map { try $0.value() })
    }

    private static func pair<T>(_ v: YAMLNode, name: String, kind: String, _ read: (YAMLNode) throws -> T) throws -> (T, T) {
        let items = try v.sequence("[low, high]")
        guard items.count == 2 else { throw v.error("\(kind) of '\(name)' takes two numbers [low, high], got \(items.count)") }
        return (try read(items[0]), try read(items[1]))
    }
}
