import Foundation
import XCTest

/// The context (add-only keys, host keys, metric lists and tags) and the pipeline (step
/// order, failures, treatments, parameter resolution, command-line overrides), through the
/// real host and plugins.
final class ContextAndPipelineTests: XCTestCase {
    // MARK: context

    func testAddingAnExistingKeyFailsNamingTheKeyAndTheStep() throws {
        let fx = ExperimentFixture("ctx-addonly")
        let exp = fx.experiment("twice", """
        name: twice
        replicates: 2
        datasource: c_range
        steps:
          - c_add
          - c_add
        """)
        let r = fx.run(exp)
        XCTAssertEqual(r.status, 1, r.output)
        let message = "step 'c_add_2' tried to overwrite context key 'c_touched' (context keys are add-only)"
        XCTAssertTrue(r.stdout.contains("replicate 0, baseline, step c_add_2: \(message)"), r.output)
        let results = fx.object("\(fx.version("twice"))/baseline/results.json")
        let errors = try XCTUnwrap(results["errors"] as? [[String: Any]])
        XCTAssertEqual(errors.count, 2)
        XCTAssertEqual(errors.map { $0["message"] as? String }, [message, message])
        XCTAssertEqual(errors.map { $0["step"] as? String }, ["c_add_2", "c_add_2"])
    }

    func testHostKeysSeedsMetricListsAndTagsAsAStepSeesThem() throws {
        let fx = ExperimentFixture("ctx-host")
        let probe = ProbePlugin.build(in: fx.dir)
        // A seed near 2^32 shows the modulo: (seed + r*31337) mod 2^32 wraps on replicate 1.
        let seed: UInt64 = 4_294_967_000
        let exp = fx.experiment("host", """
        name: host
        replicates: 3
        seed: \(seed)
        datasource: c_range
        steps: [c_add, probe]
        treatments:
          more: {amount: 2}
        """)
        let r = fx.run(exp, extraPlugins: [probe])
        XCTAssertEqual(r.status, 0, r.output)
        let expected = (0..<3).map { Double((seed + UInt64($0) * 31337) % (1 << 32)) }
        XCTAssertEqual(expected[1], 31041)
        for c in ["baseline", "more"] {
            XCTAssertEqual(fx.metric("host", c, "replicate_seen"), [0, 1, 2], c)
            XCTAssertEqual(fx.metric("host", c, "seed_seen"), expected, c)
            XCTAssertEqual(fx.metric("host", c, "overwrite_refused"), [1, 1, 1], "host keys are add-only too (\(c))")
            XCTAssertEqual(fx.metric("host", c, "replicate_after"), [0, 1, 2], "a refused overwrite changes nothing (\(c))")
            XCTAssertEqual(fx.metric("host", c, "saw_c_touched"), [1, 1, 1], "a key an earlier step added is visible (\(c))")
            // Metrics are lists: two recordings in one call give two values per replicate, in order.
            XCTAssertEqual(fx.metric("host", c, "twice"), [1.5, 2.5, 1.5, 2.5, 1.5, 2.5], c)
            for rep in 0..<3 {
                XCTAssertEqual(Harness.read("\(fx.version("host"))/replicate_\(rep)/\(c)/probe/condition.txt"), c)
            }
        }
        let runs = fx.provenanceRuns("host")
        XCTAssertEqual(runs.count, 6)
        for run in runs {
            let rep = try XCTUnwrap(run["replicate"] as? Int)
            XCTAssertEqual(run["seed_used"] as? Int, Int(expected[rep]))
            let tags = try XCTUnwrap(run["metric_tags"] as? [String: [String]], "tags are kept in provenance")
            XCTAssertEqual(tags["c_sum"], ["c", "sum"])
            XCTAssertEqual(tags["twice"], ["probe", "first", "second"])
            XCTAssertNil(tags["seed_seen"], "untagged metrics carry no tags")
        }
        XCTAssertEqual(runs.filter { $0["condition"] as? String == "baseline" }.compactMap { $0["seed_used"] as? Int }, expected.map { Int($0) })
    }

    func testTagsSurviveACachedRerun() throws {
        let fx = ExperimentFixture("ctx-tags-cache")
        let exp = fx.experiment("tags", "name: tags\nreplicates: 2\ndatasource: c_range\nsteps: [c_add]\n")
        XCTAssertEqual(fx.run(exp).status, 0)
        let r = fx.run(exp)
        XCTAssertEqual(r.status, 0, r.output)
        let runs = fx.provenanceRuns("tags")
        XCTAssertTrue(runs.allSatisfy { (($0["steps"] as? [[String: Any]])?.last?["cache_hit"] as? Bool) == true }, "second run hits the cache")
        for run in runs { XCTAssertEqual((run["metric_tags"] as? [String: [String]])?["c_sum"], ["c", "sum"]) }
    }

    // MARK: pipeline

    func testStepsRunInOrderAndPassDataAlongWithTheirMetrics() {
        let fx = ExperimentFixture("pipe-order")
        // c_add records c_sum where it stands; c_scale (typed, through libffi) multiplies by 3.
        let before = fx.experiment("scale_first", "name: scale_first\ndatasource: c_range\nsteps:\n  - c_scale: {factor: 3}\n  - c_add\n  - save_numbers\n")
        let after = fx.experiment("scale_last", "name: scale_last\ndatasource: c_range\nsteps:\n  - c_add\n  - c_scale: {factor: 3}\n  - save_numbers\n")
        XCTAssertEqual(fx.run(before).status, 0)
        XCTAssertEqual(fx.run(after).status, 0)
        XCTAssertEqual(fx.metric("scale_first", "baseline", "c_sum"), [3 * 6 + 4])
        XCTAssertEqual(fx.metric("scale_last", "baseline", "c_sum"), [6 + 4])
        // The data after the metric-recording step flows on to the next step.
        XCTAssertEqual(Harness.read("\(fx.version("scale_first"))/replicate_0/baseline/save_numbers/numbers.txt"), "1.0\n4.0\n7.0\n10.0")
        XCTAssertEqual(Harness.read("\(fx.version("scale_last"))/replicate_0/baseline/save_numbers/numbers.txt"), "3.0\n6.0\n9.0\n12.0")
        let steps = (fx.provenanceRuns("scale_first").first?["steps"] as? [[String: Any]])?.compactMap { $0["step"] as? String }
        XCTAssertEqual(steps, ["c_range", "c_scale", "c_add", "save_numbers"])
    }

    func testSetupAndTeardownRunOncePerRun() {
        let fx = ExperimentFixture("pipe-life")
        let probe = ProbePlugin.build(in: fx.dir)
        let exp = fx.experiment("life", "name: life\nreplicates: 3\ndatasource: c_range\nsteps: [lifecycle]\ntreatments:\n  more: {}\n")
        let log = fx.dir + "/life.log"
        let r = fx.run(exp, extraPlugins: [probe], environment: ["PROBE_LOG": log])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(Harness.read(log).split(separator: "\n"), ["setup"] + Array(repeating: "call", count: 6) + ["teardown"])
    }

    func testAFailingStepFailsOnlyItsReplicate() throws {
        let fx = ExperimentFixture("pipe-fail")
        let exp = fx.experiment("fail", """
        name: fail
        replicates: 4
        datasource: c_range
        steps:
          - c_add
          - step: c_crash
            params: {mode: error, on_replicate: 2}
        treatments:
          more: {amount: 2}
        """)
        let r = fx.host(["run", exp])
        XCTAssertEqual(r.status, 1, "a failed step makes the run fail: \(r.output)")
        for c in ["baseline", "more"] {
            XCTAssertTrue(r.stdout.contains("replicate 2, \(c), step c_crash: c_crash was asked to fail"), r.output)
            let results = fx.object("\(fx.version("fail"))/\(c)/results.json")
            let errors = try XCTUnwrap(results["errors"] as? [[String: Any]])
            XCTAssertEqual(errors.count, 1)
            XCTAssertEqual(errors[0]["replicate"] as? Int, 2)
            XCTAssertEqual(errors[0]["condition"] as? String, c)
            XCTAssertEqual(errors[0]["step"] as? String, "c_crash")
            XCTAssertEqual(errors[0]["message"] as? String, "c_crash was asked to fail")
            // The other replicates went on and were recorded.
            XCTAssertEqual(fx.metric("fail", c, "c_sum")?.count, 3)
            for rep in [0, 1, 3] { XCTAssertTrue(FileManager.default.fileExists(atPath: "\(fx.version("fail"))/replicate_\(rep)/\(c)/c_add/sum.txt")) }
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(fx.version("fail"))/\(c)/.crystallize_complete"), "an incomplete condition has no marker")
        }
        XCTAssertTrue(r.stdout.contains("2 failure(s):"), r.output)
        let failed = fx.provenanceRuns("fail").filter { $0["error"] != nil }
        XCTAssertEqual(failed.count, 2)
        XCTAssertTrue(failed.allSatisfy { $0["replicate"] as? Int == 2 && ($0["error"] as? [String: Any])?["step"] as? String == "c_crash" })
        XCTAssertEqual(fx.object("\(fx.version("fail"))/provenance.json")["outcome"] as? String, "failed")
        XCTAssertEqual(fx.object("\(fx.version("fail"))/metadata.json")["status"] as? String, "incomplete")
    }

    func testTreatmentsAddContextAndABaselineTreatmentReplacesTheBaseline() throws {
        let fx = ExperimentFixture("pipe-treat")
        fx.experiment("plain", "name: plain\nreplicates: 2\ndatasource: c_range\nsteps: [c_add]\ntreatments:\n  more: {amount: 5}\n")
        fx.experiment("based", "name: based\nreplicates: 2\ndatasource: c_range\nsteps: [c_add]\ntreatments:\n  more: {amount: 5}\n  baseline: {amount: 2}\n")
        XCTAssertEqual(fx.run("experiments/plain").status, 0)
        XCTAssertEqual(fx.run("experiments/based").status, 0)
        // c_range n=4 sums to 6; c_add adds `amount` to each of the 4 numbers (default 1).
        XCTAssertEqual(fx.metric("plain", "baseline", "c_sum"), [10, 10])
        XCTAssertEqual(fx.metric("plain", "more", "c_sum"), [26, 26])
        XCTAssertEqual(fx.metric("based", "baseline", "c_sum"), [14, 14])
        XCTAssertEqual(fx.metric("based", "more", "c_sum"), [26, 26])
        let meta = fx.object("\(fx.version("based"))/metadata.json")
        XCTAssertEqual(meta["conditions"] as? [String], ["baseline", "more"], "the baseline runs once, first")
        XCTAssertEqual((meta["treatments"] as? [String: [String: Int]])?["baseline"], ["amount": 2])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(fx.version("based"))/replicate_0/baseline_2"))
    }

    func testParametersResolveExplicitThenContextThenDefaultThenError() throws {
        let fx = ExperimentFixture("pipe-params")
        fx.experiment("explicit", "name: explicit\ndatasource: c_range\nsteps:\n  - c_add: {amount: 3}\ntreatments:\n  more: {amount: 5}\n")
        XCTAssertEqual(fx.run("experiments/explicit").status, 0)
        XCTAssertEqual(fx.metric("explicit", "baseline", "c_sum"), [18], "explicit param")
        XCTAssertEqual(fx.metric("explicit", "more", "c_sum"), [18], "explicit beats the context")
        fx.experiment("context", "name: context\ndatasource: c_range\nsteps: [c_add]\ntreatments:\n  more: {amount: 5}\n")
        XCTAssertEqual(fx.run("experiments/context").status, 0)
        XCTAssertEqual(fx.metric("context", "baseline", "c_sum"), [10], "declared default")
        XCTAssertEqual(fx.metric("context", "more", "c_sum"), [26], "context beats the default")
        let add = (fx.provenanceRuns("context").last?["steps"] as? [[String: Any]])?[1]
        XCTAssertEqual((add?["params"] as? [String: Any])?["amount"] as? Int, 5)
        // A plain C function whose parameter has no default: only the treatment supplies it.
        fx.experiment("missing", """
        name: missing
        datasource: c_seeded
        steps:
          - ffi: {library: libm.so.6, signature: "f64 pow(f64 data, f64 exponent)"}
        treatments:
          squared: {exponent: 2}
        """)
        let r = fx.run("experiments/missing")
        XCTAssertEqual(r.status, 1, r.output)
        let errors = try XCTUnwrap(fx.object("\(fx.version("missing"))/baseline/results.json")["errors"] as? [[String: Any]])
        XCTAssertEqual(errors.first?["step"] as? String, "pow")
        XCTAssertEqual(errors.first?["message"] as? String,
                       "step 'pow' needs parameter 'exponent': it is not in the step's params, not in the context, and has no default")
        XCTAssertNil(fx.object("\(fx.version("missing"))/squared/results.json")["errors"])
        // c_seeded's own parameters came from the host keys, by name.
        let ds = (fx.provenanceRuns("missing").first?["steps"] as? [[String: Any]])?.first
        XCTAssertEqual((ds?["params"] as? [String: Any])?["seed_used"] as? Int, 0)
        XCTAssertEqual((ds?["params"] as? [String: Any])?["replicate"] as? Int, 0)
    }

    func testAKeyAnEarlierStepAddedBeatsALaterStepsDefault() throws {
        let fx = ExperimentFixture("pipe-added")
        let probe = ProbePlugin.build(in: fx.dir)
        // c_add's `amount` (default 1) comes from the key `give` added, on every replicate and in
        // both conditions; a treatment key the step never reads changes nothing.
        fx.experiment("added", """
        name: added
        replicates: 3
        datasource: c_range
        steps:
          - give: {key: amount, value: 7}
          - c_add
        treatments:
          other: {unrelated: 1}
        """)
        let r = fx.run("experiments/added", extraPlugins: [probe])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(fx.metric("added", "baseline", "c_sum"), [34, 34, 34], "0+1+2+3 plus 4 x 7")
        XCTAssertEqual(fx.metric("added", "other", "c_sum"), [34, 34, 34])
        let steps = try XCTUnwrap(fx.provenanceRuns("added").last?["steps"] as? [[String: Any]])
        XCTAssertEqual((steps[2]["params"] as? [String: Any])?["amount"] as? Double, 7)
        let changes = { (i: Int) in steps[i]["ctx_changes"] as? [String: Any] }
        XCTAssertEqual((changes(2)?["reads"] as? [String: Any])?["amount"] as? Double, 7, "the parameter is a read of the added key")
        XCTAssertEqual(((changes(1)?["wrote"] as? [String: Any])?["amount"] as? [String: Any])?["after"] as? Double, 7)
    }

    func testCommandLineOverrides() throws {
        let fx = ExperimentFixture("pipe-cli")
        let exp = fx.experiment("over", """
        name: over
        replicates: 5
        seed: 1
        datasource: c_range
        steps: [c_add]
        treatments:
          a: {amount: 2}
          b: {amount: 3}
          c: {amount: 4}
        """)
        let r = fx.run(exp, ["--replicates", "3", "--treatment", "c", "--treatment", "a", "--seed", "99", "--data-dir", "elsewhere/out"])
        XCTAssertEqual(r.status, 0, r.output)
        let v = fx.version("over", dataRoot: "elsewhere/out")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(fx.dir)/data"), "--data-dir moves the whole root")
        let meta = fx.object("\(v)/metadata.json")
        XCTAssertEqual(meta["replicates"] as? Int, 3)
        XCTAssertEqual(meta["seed"] as? Int, 99)
        XCTAssertEqual(meta["conditions"] as? [String], ["baseline", "a", "c"], "config order, baseline always")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(v)/b"))
        let runs = Harness.provenance("over", dataDir: "elsewhere/out", in: fx.dir)?["runs"] as? [[String: Any]] ?? []
        XCTAssertEqual(runs.filter { $0["condition"] as? String == "a" }.compactMap { $0["seed_used"] as? Int }, [99, 99 + 31337, 99 + 2 * 31337])
        let results = Harness.json("\(v)/c/results.json") as? [String: Any]
        XCTAssertEqual((results?["metrics"] as? [String: [Double]])?["c_sum"], [22, 22, 22])
    }
}
