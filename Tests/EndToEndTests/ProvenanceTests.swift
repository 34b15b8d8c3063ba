import ChildProcesses
import Foundation
import XCTest

/// provenance.json and `crystallize-host show`, which reads files alone.
final class ProvenanceTests: XCTestCase {
    var dir = ""
    var plugins: [String] { ["--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("CTestPlugin")] }

    override func setUp() {
        dir = Harness.temporaryDirectory("prov")
        Harness.write("\(dir)/experiments/prov/config.yaml", """
        name: prov
        replicates: 3
        seed: 5
        datasource: numbers
        steps:
          - add_delta
          - c_add
          - record_metric
          - step: c_crash
            params: {mode: error, on_replicate: 2}
        treatments:
          add_ten: {delta: 10}
        """)
    }

    func testProvenanceRecordsRunAndEveryStep() throws {
        let r = Harness.run(plugins + ["run", "experiments/prov"], in: dir)
        XCTAssertEqual(r.status, 1, "a failed step makes the run fail: \(r.output)")
        XCTAssertTrue(r.stdout.contains("replicate 2, baseline, step c_crash: c_crash was asked to fail"), r.output)
        let prov = try XCTUnwrap(Harness.json("\(dir)/data/prov/v0/provenance.json") as? [String: Any])
        XCTAssertEqual(prov["replicates"] as? Int, 3)
        XCTAssertEqual(prov["outcome"] as? String, "failed")
        XCTAssertNotNil(prov["pipeline_signature"] as? String)
        XCTAssertEqual(prov["conditions"] as? [String], ["baseline", "add_ten"])
        XCTAssertEqual(prov["data_hashes"] as? Bool, true, "a cached step (add_delta) needs data hashes")
        XCTAssertEqual((prov["records"] as? [String: Any])?["journal"] as? String, "replicates.journal")
        XCTAssertNil(prov["runs"], "step records stay in the journal, not copied into provenance.json")
        let host = try XCTUnwrap(prov["host"] as? [String: Any])
        XCTAssertNotNil(host["version"] as? String)
        XCTAssertNotNil(host["hostname"] as? String)
        let pluginsInfo = try XCTUnwrap(prov["plugins"] as? [[String: Any]])
        XCTAssertEqual(Set(pluginsInfo.compactMap { $0["name"] as? String }), ["MySteps", "CTestPlugin"])
        XCTAssertTrue(pluginsInfo.allSatisfy { ($0["sha256"] as? String)?.count == 64 && ($0["path"] as? String)?.hasPrefix("/") == true })
        XCTAssertEqual((prov["config"] as? [String: Any])?["sha256"] as? String, sha256OfFile("\(dir)/experiments/prov/config.yaml"))
        XCTAssertNotNil(prov["started"] as? String)
        XCTAssertNotNil(prov["finished"] as? String)

        let joined = try XCTUnwrap(Harness.provenance("prov", in: dir))
        XCTAssertEqual(joined["experiment"] as? String, "prov")
        let runs = try XCTUnwrap(joined["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 6)
        XCTAssertEqual(runs.filter { $0["condition"] as? String == "baseline" }.compactMap { $0["seed_used"] as? Int }, [5, 5 + 31337, 5 + 2 * 31337])
        let seeds = try XCTUnwrap(joined["seeds"] as? [String: [Int]], "crystallize-ml's seeds map, rebuilt from the records")
        XCTAssertEqual(seeds["baseline"], [5, 5 + 31337, 5 + 2 * 31337])
        XCTAssertEqual(seeds["add_ten"], seeds["baseline"])
        let first = try XCTUnwrap(runs.first { $0["condition"] as? String == "add_ten" && $0["replicate"] as? Int == 0 })
        let steps = try XCTUnwrap(first["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.map { $0["step"] as? String }, ["numbers", "add_delta", "c_add", "record_metric", "c_crash"])
        let add = steps[1]
        for key in ["step_hash", "input_hash", "output_hash"] { XCTAssertEqual((add[key] as? String)?.count, 64, key) }
        XCTAssertEqual(add["cache_hit"] as? Bool, false)
        XCTAssertEqual((add["params"] as? [String: Any])?["delta"] as? Int, 10, "resolved params, here from the treatment")
        let changes = try XCTUnwrap(add["ctx_changes"] as? [String: Any])
        XCTAssertEqual((changes["reads"] as? [String: Any])?["delta"] as? Int, 10)
        let cAdd = try XCTUnwrap(steps[2]["ctx_changes"] as? [String: Any])
        XCTAssertNotNil((cAdd["wrote"] as? [String: Any])?["c_touched"])
        XCTAssertNotNil((cAdd["metrics"] as? [String: Any])?["c_sum"])
        // The output of one step is the input of the next.
        XCTAssertEqual(steps[1]["output_hash"] as? String, steps[2]["input_hash"] as? String)
        let failed = try XCTUnwrap(runs.first { $0["condition"] as? String == "baseline" && $0["replicate"] as? Int == 2 })
        XCTAssertEqual((failed["error"] as? [String: Any])?["step"] as? String, "c_crash")
        // crystallize-ml's files stay crystallize-ml's: results.json is {"metrics": ...} (+ errors).
        let results = try XCTUnwrap(Harness.json("\(dir)/data/prov/v0/baseline/results.json") as? [String: Any])
        XCTAssertEqual(Set(results.keys), ["metrics", "errors"])
    }

    func testDataHashesAreRecordedOnlyWhenCachingOrAskedFor() throws {
        let r = Harness.run(plugins + ["run", "experiments/prov", "--no-cache"], in: dir)
        XCTAssertEqual(r.status, 1, r.output)
        let joined = try XCTUnwrap(Harness.provenance("prov", in: dir))
        XCTAssertEqual(joined["data_hashes"] as? Bool, false)
        let steps = try XCTUnwrap((joined["runs"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.count, 5)
        XCTAssertTrue(steps.allSatisfy { $0["input_hash"] == nil && $0["output_hash"] == nil && ($0["step_hash"] as? String)?.count == 64 })
        XCTAssertEqual((steps[1]["params"] as? [String: Any])?["delta"] as? Double, 0.0, "the declared default, resolved from provenance.json")
    }

    func testShowPrintsResultsAndTreeWithoutPlugins() throws {
        _ = Harness.run(plugins + ["run", "experiments/prov"], in: dir)
        let r = Harness.run(["show", "prov", "--tree", "treatment > replicate > step > action"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        for needle in ["Experiment Summary", "Treatment 'add_ten'", "Replicate 0", "Step add_delta", "Reads", "delta=10",
                       "Write Metrics", "c_sum", "Writes", "c_touched", "Error", "c_crash was asked to fail", "total"] {
            XCTAssertTrue(r.stdout.contains(needle), "missing \(needle) in\n\(r.stdout)")
        }
        let short = Harness.run(["show", "experiments/prov", "--tree", "treatment > step"], in: dir)
        XCTAssertEqual(short.status, 0, short.output)
        XCTAssertFalse(short.stdout.contains("Replicate 0"), short.stdout)
        let bad = Harness.run(["show", "prov", "--tree", "treatment > colour"], in: dir)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("'colour'"), bad.output)
        let missing = Harness.run(["show", "nothing"], in: dir)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no stored runs of 'nothing'"), missing.output)
    }

    func sha256OfFile(_ path: String) -> String {
        String(Command("/usr/bin/sha256sum", [path]).runBlocking().stdout.prefix(64))
    }
}
