import Foundation
import OrderedCollections

/// `sweep:` in config.yaml (and `--sweep key=v1,v2` on the command line): treatments generated
/// from a few lines instead of written one by one.
///
/// - `grid: {a: [1, 2], b: [x, y]}` — every combination (first key varies slowest);
/// - `zip: {a: [1, 2], b: [x, y]}` — element-wise pairs; with a grid, every zipped tuple is
///   combined with every grid point;
/// - `random: {n, seed, params: {name: distribution}}` — n points drawn with their own seed;
/// - `max_treatments: N` raises the limit (default 10000) checked before anything is generated.
public struct SweepSpec {
    /// Grid axes, in order.
    var grid: [(key: String, values: [Value])] = []
    /// Zipped lists, all of the same length.
    var zip: [(key: String, values: [Value])] = []
    /// The random part, if any.
    var random: (n: Int, seed: UInt64, space: [(key: String, dist: ParamDistribution)])? = nil
    /// The most treatments a sweep may generate.
    var limit = SweepSpec.defaultLimit
    /// Where the sweep was written, for errors about its size.
    var node: YAMLNode?

    /// Treatments a sweep may generate unless `max_treatments` says otherwise.
    public static let defaultLimit = 10_000
    static let keys = ["grid", "zip", "random", "max_treatments"]

    var isEmpty: Bool { grid.isEmpty && zip.isEmpty && random == nil }

    /// Reads `sweep:`.
    static func parse(_ node: YAMLNode?) throws -> SweepSpec {
        var spec = SweepSpec()
        guard let node, !node.isNull else { return spec }
        spec.node = node
        try node.checkKeys(keys)
        for (k, v) in try node.mapping("a mapping with grid, zip and/or random") {
            switch k {
            case "grid": spec.grid = try axes(v, what: "grid")
            case "zip":
                spec.zip = try axes(v, what: "zip")
                if let first = spec.zip.first, let odd = spec.zip.first(where: { $0.values.count != first.values.count }) {
                    throw v.error("zip lists must have the same length: '\(first.key)' has \(first.values.count), '\(odd.key)' has \(odd.values.count)")
                }
            case "random": spec.random = try parseRandom(v)
            case "max_treatments":
                spec.limit = try v.int()
                guard spec.limit >= 1 else { throw v.error("max_treatments must be at least 1") }
            default: break
            }
        }
        return spec
    }

    private static func axes(_ node: YAMLNode, what: String) throws -> [(key: String, values: [Value])] {
        var out: [(key: String, values: [Value])] = []
        for (key, v) in try node.mapping("a mapping of parameter names to lists of values") {
            try checkKey(key, node: v)
            let values: [Value]
            if case .sequence = v.node {
                values = try v.sequence().map { try $0.value() }
            } else {
                guard let g = try ParamDistribution.parse(v, name: key).gridValues else {
                    throw v.error("\(what) parameter '\(key)' needs a finite list of values (a list, {choice: [...]}, {int: [lo, hi]} or a range with steps:)")
                }
                values = g
            }
            guard !values.isEmpty else { throw v.error("\(what) parameter '\(key)' has no values") }
            for (i, value) in values.enumerated() { try TreatmentName.check(value, key: key, node: (try? v.sequence())?[i] ?? v) }
            out.append((key, values))
        }
        guard !out.isEmpty else { throw node.error("\(what) lists no parameters") }
        return out
    }

    private static func parseRandom(_ node: YAMLNode) throws -> (n: Int, seed: UInt64, space: [(key: String, dist: ParamDistribution)]) {
        try node.checkKeys(["n", "seed", "params"])
        var n: Int? = nil, seed: UInt64 = 0
        var space: [(key: String, dist: ParamDistribution)] = []
        for (k, v) in try node.mapping("a mapping with n, seed and params") {
            switch k {
            case "n":
                n = try v.int()
                guard n! >= 1 else { throw v.error("n must be at least 1") }
            case "seed":
                let s = try v.int()
                guard s >= 0 else { throw v.error("seed must be a non-negative integer") }
                seed = UInt64(s)
            default: space = try SearchSpace.parse(v).params
            }
        }
        guard let n else { throw node.error("random needs n (how many treatments to draw)") }
        guard !space.isEmpty else { throw node.error("random needs params (a mapping of parameter names to distributions)") }
        return (n, seed, space)
    }

    static func checkKey(_ key: String, node: YAMLNode) throws {
        if ExperimentConfig.hostKeys.contains(key) {
            throw node.error("'\(key)' is set by the host itself (\(ExperimentConfig.hostKeys.joined(separator: ", "))); a sweep cannot vary it")
        }
    }

    /// Adds `--sweep key=v1,v2,...` axes to the grid; one of the same key replaces the config's.
    mutating func addCommandLine(_ sweeps: [String], file: String) throws {
        for s in sweeps {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                throw ConfigError(file: file, line: nil, path: "--sweep", "'\(s)' is not key=v1,v2,...")
            }
            let key = String(s[..<eq])
            let texts = s[s.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ConfigError(file: file, line: nil, path: "--sweep", "'\(key)' in '\(s)' is not a parameter name")
            }
            if ExperimentConfig.hostKeys.contains(key) { throw ConfigError(file: file, line: nil, path: "--sweep", "'\(key)' is set by the host itself; a sweep cannot vary it") }
            guard !texts.contains(where: \.isEmpty) else { throw ConfigError(file: file, line: nil, path: "--sweep", "'\(s)' has an empty value") }
            let values = texts.map(Self.commandLineValue)
            if let i = grid.firstIndex(where: { $0.key == key }) { grid[i].values = values } else { grid.append((key, values)) }
        }
    }

    /// A command-line value as YAML would read it: integer, number, true/false, else text.
    static func commandLineValue(_ t: String) -> Value {
        if let i = Int64(t) { return .int(i) }
        if let d = Double(t), t.rangeOfCharacter(from: .letters) == nil || t.lowercased().contains("e") { return .double(d) }
        if t == "true" || t == "false" { return .bool(t == "true") }
        return .string(t)
    }

    /// How many treatments the sweep generates, or nil past Int.max.
    var count: Int? {
        var gridPoints = 1
        for a in grid {
            let (m, overflow) = gridPoints.multipliedReportingOverflow(by: a.values.count)
            if overflow { return nil }
            gridPoints = m
        }
        let (withZip, overflow) = gridPoints.multipliedReportingOverflow(by: zip.first?.values.count ?? 1)
        if overflow { return nil }
        let structured = grid.isEmpty && zip.isEmpty ? 0 : withZip
        return structured.addingReportingOverflow(random?.n ?? 0).overflow ? nil : structured + (random?.n ?? 0)
    }

    /// The generated treatments, in a fixed order: grid (with zip) points, then random ones.
    /// Refuses a sweep above the limit before generating anything.
    func treatments(file: String) throws -> [Condition] {
        guard !isEmpty else { return [] }
        if count.map({ $0 > limit }) ?? true {
            let sizes = grid.map { "\($0.key): \($0.values.count)" } + (zip.first.map { ["zip: \($0.values.count)"] } ?? []) + (random.map { ["random: \($0.n)"] } ?? [])
            let total = count.map(String.init) ?? "more than \(Int.max)"
            let message = "the sweep would generate \(total) treatments (\(sizes.joined(separator: " × "))), above the limit of \(limit); narrow it or raise sweep.max_treatments"
            throw node?.error(message) ?? ConfigError(file: file, line: nil, path: "--sweep", message)
        }
        var out: [Condition] = []
        if !grid.isEmpty || !zip.isEmpty {
            let zipped = zip.first.map { z in (0..<z.values.count).map { i in zip.map { ($0.key, $0.values[i]) } } } ?? [[]]
            var point = [Int](repeating: 0, count: grid.count)
            repeat {
                for tuple in zipped {
                    var p = OrderedDictionary<String, Value>()
                    for (a, i) in Swift.zip(grid, point) { p[a.key] = a.values[i] }
                    for (k, v) in tuple { p[k] = v }
                    out.append(Condition(name: TreatmentName.make(p), additions: p))
                }
            } while Self.advance(&point, sizes: grid.map(\.values.count))
        }
        if let random {
            var rng = SeededGenerator(seed: random.seed, labels: "sweep.random")
            let points = (0..<random.n).map { _ in OrderedDictionary(uniqueKeysWithValues: random.space.map { ($0.key, $0.dist.sample(&rng)) }) }
            out += Self.named(points, existing: Set(out.map(\.name)))
        }
        return out
    }

    /// Short names for drawn points (3 significant digits, more when two would clash); a point
    /// drawn twice is kept once.
    static func named(_ points: [OrderedDictionary<String, Value>], existing: Set<String>) -> [Condition] {
        var seen = existing
        var out: [Condition] = []
        for p in points where !out.contains(where: { $0.additions == p }) {
            var digits = 3
            var name = TreatmentName.make(p, digits: digits)
            while seen.contains(name) && digits < 17 { digits += 2; name = TreatmentName.make(p, digits: digits) }
            guard !seen.contains(name) else { continue }
            seen.insert(name)
            out.append(Condition(name: name, additions: p))
        }
        return out
    }

    /// Next grid point, last axis fastest; false after the last one.
    private static func advance(_ point: inout [Int], sizes: [Int]) -> Bool {
        var i = point.count - 1
        while i >= 0 {
            point[i] += 1
            if point[i] < sizes[i] { return true }
            point[i] = 0
            i -= 1
        }
        return false
    }
}
