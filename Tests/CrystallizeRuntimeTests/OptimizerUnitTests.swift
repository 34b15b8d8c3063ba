@testable import CrystallizeRuntime
import Foundation
import OrderedCollections
import XCTest

/// The pieces of sweeps and optimizers that need no host run: names, the halving schedule and
/// its budget rule, the ledger that joins replicate ranges, and the best-trial rule.
final class OptimizerUnitTests: XCTestCase {
    func testTreatmentNamesAreReadableAndShortenedOnlyWhenAsked() {
        let p: OrderedDictionary<String, Value> = ["delta": .int(1), "noise": .double(0.5), "mode": .string("fast"), "on": .bool(true)]
        XCTAssertEqual(TreatmentName.make(p), "delta=1,noise=0.5,mode=fast,on=true")
        XCTAssertEqual(TreatmentName.make(["lr": .double(0.000123456)], digits: 3), "lr=0.000123")
        XCTAssertEqual(TreatmentName.make(["x": .double(2)]), "x=2.0")
        // Two draws that print alike at 3 digits get more digits; an identical draw is kept once.
        let named = SweepSpec.named([["x": .double(0.12341)], ["x": .double(0.12349)], ["x": .double(0.12341)]], existing: [])
        XCTAssertEqual(named.map(\.name), ["x=0.123", "x=0.12349"])
    }

    func testHalvingScheduleAndBudgetRule() {
        let s = HalvingOptimizer.schedule(candidates: 16, replicates: 2, eta: 2)
        XCTAssertEqual(s.map(\.candidates), [16, 8, 4, 2])
        XCTAssertEqual(s.map(\.replicates), [2, 4, 8, 16])
        XCTAssertEqual(HalvingOptimizer.budget(s), 16 * 2 + 8 * 2 + 4 * 4 + 2 * 8)
        // n·r·(1 + K/2) for eta 2, K later rounds.
        XCTAssertEqual(HalvingOptimizer.budget(s), 16 * 2 * (2 + 3) / 2)
        let three = HalvingOptimizer.schedule(candidates: 10, replicates: 1, eta: 3)
        XCTAssertEqual(three.map(\.candidates), [10, 4, 2])
        XCTAssertEqual(three.map(\.replicates), [1, 3, 9])
        XCTAssertEqual(HalvingOptimizer.schedule(candidates: 2, replicates: 5, eta: 2), [.init(candidates: 2, replicates: 5)])
    }

    func testLedgerJoinsReplicateRangesInOrder() {
        var l = TrialLedger()
        l.record("t", from: 0, to: 2, metrics: ["loss": [1, 2]])
        l.record("t", from: 2, to: 4, metrics: ["loss": [3, 4]])
        XCTAssertEqual(l.replicates(of: "t"), 4)
        XCTAssertEqual(l.metrics(of: "t", upTo: 4)["loss"], [1, 2, 3, 4])
        XCTAssertEqual(l.metrics(of: "t", upTo: 2)["loss"], [1, 2])
        XCTAssertEqual(l.replicates(of: "other"), 0)
        let m = TrialLedger.moments([1, 2, 3, 4])
        XCTAssertEqual(m.mean, 2.5)
        XCTAssertEqual(m.standardError!, (5.0 / 3).squareRoot() / 2, accuracy: 1e-12)
        XCTAssertNil(TrialLedger.moments([7]).standardError)
    }

    func testDefaultBestIsAmongTheMostReplicatedAndFollowsTheDirection() {
        func report(_ c: Int, _ n: Int, _ mean: Double?) -> TrialReport {
            TrialReport(request: TrialRequest(candidate: c, params: [:], replicates: n), mean: mean, standardError: nil, values: [], hypotheses: [:], round: 0)
        }
        // Candidate 0 has the lowest mean but only on 2 replicates; among those on 8, 2 wins.
        let history = [report(0, 2, -5), report(1, 2, 1), report(2, 2, 0), report(1, 8, 0.5), report(2, 8, 0.2), report(3, 2, nil)]
        XCTAssertEqual(Optimizers.defaultBest(history, direction: .minimize)?.request.candidate, 2)
        XCTAssertEqual(Optimizers.defaultBest(history, direction: .maximize)?.request.candidate, 1)
        XCTAssertNil(Optimizers.defaultBest([report(0, 2, nil)], direction: .minimize))
    }
}
