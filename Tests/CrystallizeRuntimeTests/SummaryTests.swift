@testable import CrystallizeRuntime
import OrderedCollections
import XCTest

/// The summary printed after a run: statistics per condition and metric, verdicts, failures.
final class SummaryTests: XCTestCase {
    func result(failures: [ConditionOutcome] = [], hypotheses: [HypothesisOutcome] = []) -> RunResult {
        RunResult(experiment: "demo", version: 0, versionDirectory: "/d/demo/v0", replicates: 3, conditions: ["baseline", "more"],
                  metrics: ["baseline": ["total": [.double(1), .double(2), .double(3)], "flag": [.bool(true)]], "more": [:]],
                  failures: failures, hypotheses: hypotheses, loadedFromDisk: false, rerunReason: nil, executedConditions: 6,
                  cacheHits: 0, cacheMisses: 0, cancelled: false, elapsed: 0.5)
    }

    /// Rows with runs of spaces collapsed, so assertions do not depend on column widths.
    func rows(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
    }

    func testStatisticsPerConditionAndMetric() {
        let lines = rows(Summary.render(result()))
        XCTAssertEqual(lines.first, "demo — v0, 3 replicate(s), ran 6 replicate-condition(s) in 0.50 s")
        XCTAssertTrue(lines.contains("condition metric n mean sd"))
        XCTAssertTrue(lines.contains("baseline total 3 2.0000 1.0000"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("baseline flag 1 1.0000 -"), "one value has no sd")
        XCTAssertTrue(lines.contains("more - 0 - -"), "a condition without metrics still shows")
        XCTAssertTrue(lines.contains("results: /d/demo/v0"))
        XCTAssertFalse(lines.contains { $0.contains("cache hit rate") }, "no cache line when nothing was cacheable")
    }

    func testVerdictsAndFailures() {
        let h = HypothesisOutcome(name: "h", verifier: "welch_t_test", metricGroups: [["total"], ["a", "b"]],
                                  results: ["more": [["p_value": .double(0.0001234), "significant": .bool(true)],
                                                     ["p_value": .double(0.5), "significant": .bool(false)]],
                                            "other": [["p_value": .double(.nan), "significant": .bool(false)]]],
                                  ranking: ["more"], best: "more", rankBy: "p_value")
        let failure = ConditionOutcome.failed(replicate: 2, condition: "more", seedUsed: 0, step: "c_crash", message: "boom")
        let lines = rows(Summary.render(result(failures: [failure], hypotheses: [h])))
        XCTAssertTrue(lines.contains("hypothesis h (welch_t_test on total, a+b)"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("treatment p_value significant effect (95% CI) rank"), lines.joined(separator: "\n"))
        // These results carry no effect entry (the evaluator adds one): shown as "-".
        XCTAssertTrue(lines.contains("more 1.234e-04, 0.5000 yes, no -, - 1"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("other nan no - -"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("best: more"))
        XCTAssertTrue(lines.contains("1 failure(s):"))
        XCTAssertTrue(lines.contains("replicate 2, more, step c_crash: boom"))
    }

    func testStrictJSONTurnsNonFiniteNumbersIntoNull() {
        var r = result()
        r.metrics["more"] = ["m": [.double(.nan), .double(1)], "d": [.doubles(DoubleArray.copy(of: [1, .infinity]))]]
        let text = JSONText.encode(r.strictJSON)
        XCTAssertFalse(text.contains("NaN") || text.contains("Infinity"), text)
        XCTAssertTrue(text.contains("\"m\": [null, 1.0]"), text)
        XCTAssertTrue(text.contains("\"d\": [[1.0, null]]"), text)
        XCTAssertTrue(JSONText.encode(r.json).contains("NaN"), "files keep Python's NaN")
    }

    func testTableAlignsColumns() {
        XCTAssertEqual(Summary.table([["a", "bb"], ["ccc", "d"]]), "a    bb\nccc  d")
        XCTAssertEqual(Summary.table([]), "")
    }

    func testEffectAndPairsColumns() {
        let effect: Value = .map(["mean_difference": .double(30), "ci_low": .double(29.5), "ci_high": .double(30.5),
                                  "confidence": .double(0.95), "kind": .string("paired")])
        let h = HypothesisOutcome(name: "p", verifier: "paired_t_test", metricGroups: [["total"]],
                                  results: ["add_ten": [["p_value": .double(0.001), "significant": .bool(true), "effect": effect,
                                                         "pairs": .int(6), "pairs_left_out": .int(2)]],
                                            "other": [["p_value": .double(0.5), "significant": .bool(false), "pairs": .int(8), "pairs_left_out": .int(0),
                                                       "effect": .map(["mean_difference": .double(-1.25), "ci_low": .double(-3), "ci_high": .double(0.5)])]]],
                                  ranking: ["add_ten", "other"], best: "add_ten", rankBy: "p_value")
        let lines = rows(Summary.render(result(failures: [], hypotheses: [h])))
        XCTAssertTrue(lines.contains("treatment p_value significant effect (95% CI) pairs rank"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("add_ten 0.0010 yes +30.0000 [29.5000, 30.5000] 6 (2 left out) 1"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("other 0.5000 no -1.2500 [-3.0000, 0.5000] 8 2"), lines.joined(separator: "\n"))
    }
}
