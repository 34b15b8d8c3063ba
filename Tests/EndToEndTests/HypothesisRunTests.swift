import Foundation
import XCTest

/// Hypotheses at the end of a run: built-in and plugin verifiers, crystallize-ml's metric
/// group forms, rankers and the best treatment, and a metric nobody recorded.
final class HypothesisRunTests: XCTestCase {
    func json(_ r: HostRun, file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
        let runs = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [[String: Any]]
        XCTAssertNotNil(runs, "not JSON: \(r.output)", file: file, line: line)
        return (runs?.last?["hypotheses"] as? [[String: Any]]) ?? []
    }

    func testDemoWelchFindsAddTenBest() throws {
        let fx = ExperimentFixture("hyp-demo")
        let r = fx.host(["run", Harness.repoRoot.appendingPathComponent("experiments/demo").path, "--json"])
        XCTAssertEqual(r.status, 0, r.output)
        let h = try XCTUnwrap(json(r).first)
        XCTAssertEqual(h["name"] as? String, "total_increases")
        XCTAssertEqual(h["verifier"] as? String, "welch_t_test")
        XCTAssertEqual((h["ranking"] as? [String: Any])?["best"] as? String, "add_ten")
        let result = try XCTUnwrap((h["results"] as? [String: [String: Any]])?["add_ten"])
        let p = try XCTUnwrap(result["p_value"] as? Double)
        // Totals differ by 30 against noise of sd ~1.7 per replicate: overwhelming evidence.
        XCTAssertLessThan(p, 1e-6, "Welch's p on the demo")
        XCTAssertEqual(result["significant"] as? Bool, true)
        XCTAssertNotNil(result["statistic"] as? Double)
    }

    func testMetricGroupFormsAndThePluginVerifier() throws {
        let fx = ExperimentFixture("hyp-groups")
        let exp = fx.experiment("groups", """
        name: groups
        replicates: 3
        datasource: c_range
        steps: [c_add, c_scale, record_metric]
        treatments:
          up: {amount: 3}
          down: {amount: -2}
        hypotheses:
          - name: one
            verifier: c_greater
            metrics: c_sum
          - name: together
            verifier: c_greater
            metrics: [total, c_sum]
          - name: apart
            verifier: c_greater
            metrics: [[c_sum], [total]]
            params: {alpha: 0.001}
        """)
        let r = fx.run(exp, ["--json"])
        XCTAssertEqual(r.status, 0, r.output)
        let hs = json(r)
        XCTAssertEqual(hs.map { $0["name"] as? String }, ["one", "together", "apart"])
        XCTAssertEqual(hs.map { $0["metrics"] as? [[String]] }, [[["c_sum"]], [["total", "c_sum"]], [["c_sum"], ["total"]]])
        XCTAssertEqual(hs.map { $0["verifier"] as? String }, Array(repeating: "CTestPlugin.c_greater", count: 3))
        // One group: a result map per treatment, from the plugin through the ABI.
        let one = try XCTUnwrap(hs[0]["results"] as? [String: [String: Any]])
        XCTAssertEqual(one["up"]?["p_value"] as? Double, 0.01)
        XCTAssertEqual(one["up"]?["significant"] as? Bool, true)
        XCTAssertEqual(one["up"]?["difference"] as? Double, 8, "extra keys the verifier returns are kept")
        XCTAssertEqual(one["down"]?["p_value"] as? Double, 0.99)
        XCTAssertEqual(one["down"]?["significant"] as? Bool, false)
        XCTAssertEqual((hs[0]["ranking"] as? [String: Any])?["order"] as? [String], ["up", "down"])
        XCTAssertEqual((hs[0]["ranking"] as? [String: Any])?["best"] as? String, "up")
        // [a, b] is one group: c_greater reads the group's first metric (total = 2 x c_sum).
        let together = try XCTUnwrap(hs[1]["results"] as? [String: [String: Any]])
        XCTAssertEqual(together["up"]?["difference"] as? Double, 16)
        // [[a], [b]] is two groups: a list of results per treatment; alpha reaches the plugin.
        let apart = try XCTUnwrap(hs[2]["results"] as? [String: [[String: Any]]])
        XCTAssertEqual(apart["up"]?.count, 2)
        XCTAssertEqual(apart["up"]?.map { $0["p_value"] as? Double }, [0.01, 0.01])
        XCTAssertEqual(apart["up"]?.map { $0["significant"] as? Bool }, [false, false], "alpha 0.001 from params")
        XCTAssertEqual(apart["up"]?.map { $0["difference"] as? Double }, [8, 16])
        // The verdicts are stored with the run as well.
        let stored = fx.object("\(fx.version("groups"))/provenance.json")["hypotheses"] as? [[String: Any]]
        XCTAssertEqual(stored?.count, 3)
    }

    func testRankerPicksTheResultKeyLowerIsBetter() throws {
        let fx = ExperimentFixture("hyp-ranker")
        let body = """
        replicates: 2
        datasource: c_range
        steps: [c_add]
        treatments:
          small: {amount: 2}
          big: {amount: 5}
        hypotheses:
          - verifier: c_greater
            metrics: c_sum
        """
        fx.experiment("by_p", "name: by_p\n" + body + "\n")
        fx.experiment("by_difference", "name: by_difference\n" + body + "\n    ranker: difference\n")
        let p = json(fx.run("experiments/by_p", ["--json"]))
        let d = json(fx.run("experiments/by_difference", ["--json"]))
        XCTAssertEqual(p.first?["ranker"] as? String, "p_value", "the default ranker")
        XCTAssertEqual(p.first?["name"] as? String, "hypothesis", "an unnamed hypothesis gets a name")
        // Equal p-values tie; ties break by name, so the order is still deterministic.
        XCTAssertEqual((p.first?["ranking"] as? [String: Any])?["order"] as? [String], ["big", "small"])
        XCTAssertEqual(d.first?["ranker"] as? String, "difference")
        XCTAssertEqual((d.first?["ranking"] as? [String: Any])?["order"] as? [String], ["small", "big"])
        XCTAssertEqual((d.first?["ranking"] as? [String: Any])?["best"] as? String, "small")
        // A ranker key no result holds ranks nothing, and says so.
        fx.experiment("by_typo", "name: by_typo\n" + body + "\n    ranker: diference\n")
        let typo = fx.run("experiments/by_typo", ["--json"])
        XCTAssertEqual((json(typo).first?["ranking"] as? [String: Any])?["order"] as? [String], [])
        XCTAssertTrue(typo.stderr.contains("ranker 'diference' is not in the verifier's results (they hold: difference, effect, p_value, significant)"), typo.output)
    }

    func testAMetricNobodyRecordedIsReported() throws {
        let fx = ExperimentFixture("hyp-unknown")
        let exp = fx.experiment("unknown", """
        name: unknown
        replicates: 3
        datasource: c_range
        steps: [c_add]
        treatments:
          more: {amount: 2}
        hypotheses:
          - name: typo
            verifier: welch_t_test
            metrics: c_summ
        """)
        let r = fx.host(["run", exp])
        XCTAssertTrue(r.stderr.contains("hypothesis 'typo', treatment 'more': metric 'c_summ' was never recorded; recorded metrics: c_sum"), r.output)
        XCTAssertTrue(r.stdout.contains("best: none"), r.output)
        let h = try XCTUnwrap(fx.object("\(fx.version("unknown"))/provenance.json")["hypotheses"] as? [[String: Any]])
        let result = (h.first?["results"] as? [String: [String: Any]])?["more"]
        XCTAssertTrue((result?["error"] as? String)?.contains("'c_summ' was never recorded") == true)
        // --json stays strict JSON (no NaN) even though this p-value is not a number.
        let strict = fx.run(exp, ["--json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(strict.stdout.utf8)) as? [[String: Any]]
        let p = ((parsed?.first?["hypotheses"] as? [[String: Any]])?.first?["results"] as? [String: [String: Any]])?["more"]?["p_value"]
        XCTAssertTrue(p is NSNull, "\(String(describing: p))")
    }
}
