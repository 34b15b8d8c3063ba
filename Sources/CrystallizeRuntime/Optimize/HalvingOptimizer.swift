import Foundation
import OrderedCollections

/// Successive halving over replicates: `trials` candidates drawn from the space get
/// `replicates_per_trial` replicates each; the best 1/eta of them (by objective mean) get eta
/// times as many, round after round, until one round has decided between the last few.
/// Replicates go where they decide the answer: a clearly bad candidate costs a few of them.
/// A later round only runs the replicates a survivor does not have yet.
final class HalvingOptimizer: Optimizer {
    /// One round: how many candidates, each measured on how many replicates in total.
    struct Round: Equatable { var candidates: Int; var replicates: Int }

    private let spec: OptimizeSpec
    private let rounds: [Round]
    private var round = 0
    private var alive: [TrialRequest]
    private var lastReports: [TrialReport] = []

    init(_ spec: OptimizeSpec) {
        self.spec = spec
        rounds = Self.schedule(candidates: spec.trials ?? 2, replicates: spec.replicatesPerTrial, eta: spec.eta)
        var rng = SeededGenerator(seed: spec.seed, labels: "optimize.halving")
        alive = (0..<(spec.trials ?? 2)).map { TrialRequest(candidate: $0, params: spec.space.sample(&rng), replicates: spec.replicatesPerTrial) }
    }

    /// Round k keeps ceil(n / eta^k) candidates with r·eta^k replicates; the last round is the
    /// first with at most eta candidates (it picks the winner among them).
    static func schedule(candidates n: Int, replicates r: Int, eta: Int) -> [Round] {
        var out = [Round(candidates: n, replicates: r)]
        while out.last!.candidates > eta {
            let last = out.last!
            out.append(Round(candidates: (last.candidates + eta - 1) / eta, replicates: last.replicates * eta))
        }
        return out
    }

    /// Treatment replicates the schedule runs: each round only adds the replicates its
    /// survivors lack, n₀·r₀ + Σₖ nₖ·(rₖ − rₖ₋₁).
    static func budget(_ rounds: [Round]) -> Int {
        var total = 0, previous = 0
        for r in rounds { total += r.candidates * (r.replicates - previous); previous = r.replicates }
        return total
    }

    func ask() throws -> [TrialRequest] {
        guard round < rounds.count else { return [] }
        if round > 0 {
            // Keep the best of the last round; a candidate with no measurement ranks last.
            func key(_ e: (offset: Int, element: TrialReport)) -> (Int, Double, Int) {
                guard let m = e.element.mean, m.isFinite else { return (1, 0, e.offset) }
                return (0, spec.direction == .minimize ? m : -m, e.offset)
            }
            let ranked = lastReports.enumerated().sorted { key($0) < key($1) }
            alive = ranked.prefix(rounds[round].candidates).map { var q = $0.element.request; q.replicates = rounds[round].replicates; return q }
                .sorted { $0.candidate < $1.candidate }
        }
        round += 1
        return alive
    }

    func tell(_ reports: [TrialReport]) throws { lastReports = reports }

    /// The best of the final round.
    func best(_ history: [TrialReport], direction: ObjectiveDirection) -> Int? {
        guard round >= rounds.count else { return nil }
        return Optimizers.defaultBest(lastReports, direction: direction)?.request.candidate
    }
}
