import Foundation
import OrderedCollections

/// Whether the objective is made small or large.
public enum ObjectiveDirection: String {
    /// Smaller is better.
    case minimize
    /// Larger is better.
    case maximize

    /// True when `a` is better than `b`.
    func better(_ a: Double, than b: Double) -> Bool { self == .minimize ? a < b : a > b }
}

/// `optimize:` in config.yaml: which optimizer searches which space, how many trials of how
/// many replicates, against which objective (crystallize-ml's `Objective(metric, direction)`).
public struct OptimizeSpec {
    /// "grid", "random", "halving" or a plugin optimizer's name.
    public var optimizer: String
    /// Trials (halving: the candidates of its first round; grid: at most this many points).
    public var trials: Int?
    /// Replicates of each trial (halving: of each candidate in its first round).
    public var replicatesPerTrial: Int
    /// The metric whose mean over a trial's replicates is the objective.
    public var metric: String
    /// minimize or maximize.
    public var direction: ObjectiveDirection
    /// The search space.
    public var space: SearchSpace
    /// The optimizer's own seed (default: the experiment's seed, `--seed` included).
    public var seed: UInt64
    /// Trials per round for grid and random (default: all in one round).
    public var batch: Int?
    /// Halving's reduction factor: keep the best 1/eta, give them eta times the replicates.
    public var eta: Int
    /// Parameters handed to a plugin optimizer.
    public var options: OrderedDictionary<String, Value>
    /// A plugin optimizer's export, when not built in.
    public var plugin: PluginExport?

    /// The built-in optimizers.
    public static let builtins = ["grid", "random", "halving"]
    static let keys = ["optimizer", "trials", "replicates_per_trial", "objective", "params", "seed", "batch", "eta", "options"]

    /// Reads `optimize:`; nil when absent. `seed` and `replicates` are the experiment's.
    static func parse(_ node: YAMLNode?, registry: PluginRegistry, seed: UInt64, replicates: Int) throws -> OptimizeSpec? {
        guard let node, !node.isNull else { return nil }
        try node.checkKeys(keys)
        var f: [String: YAMLNode] = [:]
        for (k, v) in try node.mapping("a mapping with optimizer, trials, replicates_per_trial, objective and params") { f[k] = v }
        let optimizer = try f["optimizer"].map { try $0.string() } ?? "random"
        var plugin: PluginExport? = nil
        if !builtins.contains(optimizer) {
            do { plugin = try registry.find(.optimizer, optimizer) } catch let e as PluginError {
                throw (f["optimizer"] ?? node).error("\(e.description); built-in optimizers: \(builtins.joined(separator: ", "))")
            }
        }
        func positive(_ key: String) throws -> Int? {
            guard let v = f[key] else { return nil }
            let i = try v.int()
            guard i >= 1 else { throw v.error("\(key) must be at least 1") }
            return i
        }
        let trials = try positive("trials")
        if trials == nil, optimizer != "grid" { throw node.error("optimizer '\(optimizer)' needs trials (how many to run)") }
        guard let objectiveNode = f["objective"] else { throw node.error("missing objective: {metric: NAME, direction: minimize|maximize}") }
        try objectiveNode.checkKeys(["metric", "direction"])
        var metric: String? = nil, direction = ObjectiveDirection.minimize
        for (k, v) in try objectiveNode.mapping("a mapping with metric and direction") {
            if k == "metric" { metric = try v.string() } else {
                guard let d = ObjectiveDirection(rawValue: try v.string()) else { throw v.error("direction must be minimize or maximize, got '\(try v.string())'") }
                direction = d
            }
        }
        guard let metric else { throw objectiveNode.error("objective needs a metric") }
        guard let paramsNode = f["params"] else { throw node.error("missing params: the search space ({name: distribution})") }
        let space = try SearchSpace.parse(paramsNode)
        var ownSeed = seed
        if let s = f["seed"] {
            let v = try s.int()
            guard v >= 0 else { throw s.error("seed must be a non-negative integer") }
            ownSeed = UInt64(v)
        }
        let eta = try positive("eta") ?? 2
        if let e = f["eta"], eta < 2 { throw e.error("eta must be at least 2") }
        if f["eta"] != nil, optimizer != "halving" { throw f["eta"]!.error("eta only applies to the halving optimizer") }
        if optimizer == "grid" {
            for (key, d) in space.params where d.gridValues == nil {
                throw paramsNode.error("the grid optimizer needs finite values for '\(key)': a list, {choice: [...]}, {int: [lo, hi]} or a range with steps:")
            }
            let size = space.params.reduce(1.0) { $0 * Double($1.dist.gridValues!.count) }
            if size > Double(SweepSpec.defaultLimit) { throw paramsNode.error("the grid has \(Int(size)) points, above the limit of \(SweepSpec.defaultLimit) trials") }
        }
        if optimizer == "halving", let t = trials, t < 2 { throw f["trials"]!.error("halving needs at least 2 candidates (trials)") }
        if let t = trials, t > SweepSpec.defaultLimit { throw f["trials"]!.error("\(t) trials are above the limit of \(SweepSpec.defaultLimit)") }
        return OptimizeSpec(optimizer: optimizer, trials: trials, replicatesPerTrial: try positive("replicates_per_trial") ?? replicates,
                            metric: metric, direction: direction, space: space, seed: ownSeed, batch: try positive("batch"), eta: eta,
                            options: try f["options"]?.params() ?? [:], plugin: plugin)
    }

    /// A few lines for `run --dry-run`, or nil when the experiment has no optimizer.
    static func describe(plan: Plan) -> String? {
        guard let spec = plan.optimize else { return nil }
        var lines = ["optimize: \(spec.optimizer), \(spec.trials.map { "\($0) trial(s)" } ?? "every grid point"), \(spec.replicatesPerTrial) replicate(s) per trial, \(spec.direction.rawValue) \(spec.metric), seed \(spec.seed)"]
        for (k, d) in spec.space.params { lines.append("  \(k): \(JSONText.encode(d.json))") }
        if spec.optimizer == "halving", let n = spec.trials {
            let rounds = HalvingOptimizer.schedule(candidates: n, replicates: spec.replicatesPerTrial, eta: spec.eta)
            lines.append("  rounds: " + rounds.map { "\($0.candidates)×\($0.replicates)" }.joined(separator: ", ") + "; treatment replicates: \(HalvingOptimizer.budget(rounds))")
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON form written to optimization.json; also what resume compares.
    var json: Value {
        var m: OrderedDictionary<String, Value> = [
            "optimizer": .string(optimizer), "trials": trials.map { .int(Int64($0)) } ?? .null,
            "replicates_per_trial": .int(Int64(replicatesPerTrial)),
            "objective": .map(["metric": .string(metric), "direction": .string(direction.rawValue)]),
            "params": space.json, "seed": .int(Int64(seed)),
        ]
        if let b = batch { m["batch"] = .int(Int64(b)) }
        if optimizer == "halving" { m["eta"] = .int(Int64(eta)) }
        if !options.isEmpty { m["options"] = .map(options) }
        return .map(m)
    }
}
