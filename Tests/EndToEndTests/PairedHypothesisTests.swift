import Foundation
import XCTest

/// Paired verifiers through the real host: pairs by replicate index, a replicate failed in
/// either condition leaves the pairs (and the summary says how many were used), and every
/// hypothesis reports an effect size in the summary, --json and provenance.json.
final class PairedHypothesisTests: XCTestCase {
    /// numbers -> add_delta -> c_crash (fails where on_replicate says) -> record_metric; the
    /// baseline fails on replicate 1, the treatment on replicate 3.
    static let config = """
    name: paired
    replicates: 8
    seed: 5
    datasource: numbers
    steps:
      - add_delta
      - c_crash: {mode: error}
      - record_metric
    treatments:
      baseline:
        on_replicate: 1
      add_ten:
        delta: 10
        on_replicate: 3
    hypotheses:
      - name: paired_t
        verifier: paired_t_test
        metrics: total
      - name: signed_rank
        verifier: wilcoxon_signed_rank
        metrics: total
      - name: welch
        verifier: welch_t_test
        metrics: total
    """

    func testPairedVerifiersLeaveOutFailedReplicatesAndReportEffects() throws {
        let dir = Harness.temporaryDirectory("paired")
        Harness.write("\(dir)/experiments/paired/config.yaml", Self.config)
        let plugins = ["--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("CTestPlugin")]
        let r = Harness.run(plugins + ["run", "experiments/paired", "--json"], in: dir)
        XCTAssertEqual(r.status, 1, "two replicates fail, so the run reports failure: \(r.output)")
        let runs = try XCTUnwrap((try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [[String: Any]], r.output)
        let hypotheses = try XCTUnwrap(runs.first?["hypotheses"] as? [[String: Any]])
        func result(_ name: String) -> [String: Any] {
            let h = hypotheses.first { $0["name"] as? String == name }
            return ((h?["results"] as? [String: Any])?["add_ten"] as? [String: Any]) ?? [:]
        }
        for name in ["paired_t", "signed_rank"] {
            let res = result(name)
            XCTAssertEqual(res["pairs"] as? Int, 6, "\(name): \(res)")
            XCTAssertEqual(res["pairs_left_out"] as? Int, 2, "\(name): \(res)")
            let effect = try XCTUnwrap(res["effect"] as? [String: Any], "\(name): \(res)")
            XCTAssertEqual(effect["kind"] as? String, "paired")
            // Common random numbers: every pair differs by exactly 3 × 10.
            XCTAssertEqual(effect["mean_difference"] as? Double ?? 0, 30, accuracy: 1e-9)
            XCTAssertEqual(effect["ci_low"] as? Double ?? 0, 30, accuracy: 1e-6)
            XCTAssertEqual(effect["ci_high"] as? Double ?? 0, 30, accuracy: 1e-6)
        }
        // Six pairs, all of one sign; several differences are exactly 30.0 (tied), so the normal
        // approximation with the tie correction applies: p ≈ 0.0235 (exact without ties: 0.03125).
        XCTAssertEqual(result("signed_rank")["method"] as? String, "normal")
        XCTAssertLessThan(result("signed_rank")["p_value"] as? Double ?? 1, 0.05)
        XCTAssertLessThan(result("paired_t")["p_value"] as? Double ?? 1, 1e-6)
        let welch = try XCTUnwrap(result("welch")["effect"] as? [String: Any])
        XCTAssertEqual(welch["kind"] as? String, "welch")
        XCTAssertNil(result("welch")["pairs"])
        // Welch pools the 7 successful replicates of each side: the means differ by about 30, with a wide interval.
        XCTAssertLessThan(welch["ci_low"] as? Double ?? 99, 30)
        XCTAssertGreaterThan(welch["ci_high"] as? Double ?? 0, 30)

        let prov = Harness.json("\(dir)/data/paired/v0/provenance.json") as? [String: Any]
        let stored = prov?["hypotheses"] as? [[String: Any]] ?? []
        XCTAssertEqual(stored.count, 3)
        for h in stored {
            let res = (h["results"] as? [String: Any])?["add_ten"] as? [String: Any]
            XCTAssertNotNil(res?["effect"], "provenance.json hypothesis \(h["name"] ?? "?") has no effect")
        }

        let text = Harness.run(plugins + ["run", "experiments/paired"], in: dir)
        XCTAssertTrue(text.stdout.contains("effect (95% CI)"), text.output)
        XCTAssertTrue(text.stdout.contains("6 (2 left out)"), text.output)
        XCTAssertTrue(text.stdout.contains("+30.0000 [30.0000, 30.0000]"), text.output)
    }

    /// The report shows the effect the run stored (paired for a paired verifier, with the pairs
    /// used), not a Welch interval of its own.
    func testReportShowsTheStoredPairedEffectAndThePairsUsed() throws {
        let dir = Harness.temporaryDirectory("paired-report")
        Harness.write("\(dir)/experiments/paired/config.yaml", Self.config)
        let plugins = ["--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("CTestPlugin")]
        XCTAssertEqual(Harness.run(plugins + ["run", "experiments/paired"], in: dir).status, 1)
        let r = Harness.run(["report", "paired"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let html = Harness.read("\(dir)/data/paired/v0/report.html")
        func table(_ name: String) -> String {
            let parts = html.components(separatedBy: "data-hypothesis=\"\(name)\"")
            return parts.count > 1 ? parts[1].components(separatedBy: "</table>")[0] : ""
        }
        for name in ["paired_t", "signed_rank"] {
            let t = table(name)
            XCTAssertTrue(t.contains("<th>pairs</th>"), "\(name): \(t)")
            XCTAssertTrue(t.contains("6 (2 left out)"), "\(name): \(t)")
            XCTAssertTrue(t.contains("(mean difference, paired interval)"), "\(name): \(t)")
            // Every pair differs by exactly 30, so the paired interval is 30 … 30; a Welch one
            // over the pooled values would be wide.
            XCTAssertTrue(t.contains("30.0000 … 30.0000"), "\(name): \(t)")
        }
        let welch = table("welch")
        XCTAssertTrue(welch.contains("(mean difference, welch interval)"), welch)
        XCTAssertFalse(welch.contains("<th>pairs</th>"), welch)
        XCTAssertFalse(html.contains("predates stored effects"), "a run with stored effects needs no fallback")
    }
}
