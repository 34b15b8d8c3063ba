import Foundation
import OrderedCollections

/// One evaluation an optimizer asks for: candidate `candidate` with `params`, measured on
/// replicates 0..<replicates. Asking again for a candidate with more replicates extends it.
public struct TrialRequest: Equatable {
    /// The candidate's number; its treatment is named `trial_<number>`.
    public var candidate: Int
    /// The context additions of the candidate's treatment.
    public var params: OrderedDictionary<String, Value>
    /// Total replicates the candidate should have after this evaluation.
    public var replicates: Int

    /// A request.
    public init(candidate: Int, params: OrderedDictionary<String, Value>, replicates: Int) {
        self.candidate = candidate; self.params = params; self.replicates = replicates
    }

    /// The treatment name.
    public var name: String { TrialRequest.name(candidate) }
    /// `trial_007`.
    public static func name(_ candidate: Int) -> String { String(format: "trial_%03d", candidate) }
}

/// What one evaluation measured, as the optimizer is told it.
public struct TrialReport {
    /// The request it answers.
    public var request: TrialRequest
    /// Mean of the objective metric over the candidate's successful replicates (nil: none).
    public var mean: Double?
    /// Its standard error (sd / sqrt(n)); nil with fewer than two values.
    public var standardError: Double?
    /// The objective's values, replicate order.
    public var values: [Double]
    /// Hypothesis results of the candidate against the baseline (name to result map).
    public var hypotheses: OrderedDictionary<String, Value>
    /// The round it ran in.
    public var round: Int
}

/// crystallize-ml's ask/tell protocol. The driver asks for a batch, runs it as one trial run
/// (the batch's treatments against the baseline), tells what it measured, and repeats until
/// the optimizer asks for nothing. An optimizer must be deterministic given its seed: resume
/// replays it and reuses every trial run already on disk.
public protocol Optimizer: AnyObject {
    /// The next batch of evaluations; empty when the search is over.
    func ask() throws -> [TrialRequest]
    /// What the last batch measured, in the order asked.
    func tell(_ reports: [TrialReport]) throws
    /// The best candidate of `history`, or nil to let the driver pick the best mean among the
    /// candidates measured on the most replicates.
    func best(_ history: [TrialReport], direction: ObjectiveDirection) -> Int?
}

extension Optimizer {
    /// The driver's choice.
    public func best(_ history: [TrialReport], direction: ObjectiveDirection) -> Int? { nil }
}

enum Optimizers {
    /// The optimizer `spec` names, seeded.
    static func make(_ spec: OptimizeSpec) throws -> Optimizer {
        switch spec.optimizer {
        case "grid": return GridOptimizer(spec)
        case "random": return RandomOptimizer(spec)
        case "halving": return HalvingOptimizer(spec)
        default:
            guard let e = spec.plugin else { throw StoreError("unknown optimizer '\(spec.optimizer)'") }
            return try PluginOptimizer(export: e, spec: spec)
        }
    }

    /// The best mean among the latest evaluations of the candidates with the most replicates.
    static func defaultBest(_ history: [TrialReport], direction: ObjectiveDirection) -> TrialReport? {
        var latest: [Int: TrialReport] = [:]
        for r in history { latest[r.request.candidate] = r }
        let measured = latest.values.filter { $0.mean != nil && $0.mean!.isFinite }
        guard let most = measured.map(\.request.replicates).max() else { return nil }
        return measured.filter { $0.request.replicates == most }
            .sorted { $0.request.candidate < $1.request.candidate }
            .reduce(nil as TrialReport?) { best, r in best.map { direction.better(r.mean!, than: $0.mean!) ? r : $0 } ?? r }
    }
}

/// Every grid point, in order (first parameter slowest), at `replicates_per_trial` each.
final class GridOptimizer: Optimizer {
    private var pending: [TrialRequest]
    private let batch: Int

    init(_ spec: OptimizeSpec) {
        let axes = spec.space.params.map { ($0.key, $0.dist.gridValues ?? []) }
        var points: [OrderedDictionary<String, Value>] = [[:]]
        for (key, values) in axes { points = points.flatMap { p in values.map { v in var q = p; q[key] = v; return q } } }
        if let t = spec.trials { points = Array(points.prefix(t)) }
        pending = points.enumerated().map { TrialRequest(candidate: $0.offset, params: $0.element, replicates: spec.replicatesPerTrial) }
        batch = spec.batch ?? max(pending.count, 1)
    }

    func ask() throws -> [TrialRequest] {
        let next = Array(pending.prefix(batch))
        pending.removeFirst(next.count)
        return next
    }

    func tell(_ reports: [TrialReport]) throws {}
}

/// `trials` points drawn from the space with the optimizer's seed.
final class RandomOptimizer: Optimizer {
    private var rng: SeededGenerator
    private let spec: OptimizeSpec
    private var asked = 0

    init(_ spec: OptimizeSpec) {
        self.spec = spec
        rng = SeededGenerator(seed: spec.seed, labels: "optimize.random")
    }

    func ask() throws -> [TrialRequest] {
        let total = spec.trials ?? 0
        let n = min(spec.batch ?? total, total - asked)
        let out = (0..<n).map { i in TrialRequest(candidate: asked + i, params: spec.space.sample(&rng), replicates: spec.replicatesPerTrial) }
        asked += n
        return out
    }

    func tell(_ reports: [TrialReport]) throws {}
}
