import Foundation
import XCTest

/// The command line: `list`, argument errors, stderr versus stdout, `--json`, the summary.
final class CliTests: XCTestCase {
    func testListFindsNestedExperimentsWithoutLoadingPlugins() {
        let fx = ExperimentFixture("cli-list")
        fx.experiment("alpha", "name: alpha\nreplicates: 3\ndatasource: numbers\nsteps: [add_delta]\ntreatments:\n  x: {delta: 1}\n  y: {delta: 2}\n")
        fx.experiment("group/beta", "name: beta\ndatasource: numbers\nsteps: [add_delta]\n")
        fx.experiment("group/broken", "name: broken\nreplicates: [1\n")
        Harness.write("\(fx.dir)/experiments/notes/README.txt", "not an experiment")
        // No --plugin: list reads YAML only.
        let r = Harness.run(["list"], in: fx.dir)
        XCTAssertEqual(r.status, 0, r.output)
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        XCTAssertEqual(lines.first, "name replicates treatments config")
        XCTAssertTrue(lines.contains("alpha 3 x, y experiments/alpha/config.yaml"), r.stdout)
        XCTAssertTrue(lines.contains("beta 1 - experiments/group/beta/config.yaml"), r.stdout)
        let broken = lines.first { $0.contains("experiments/group/broken/config.yaml") } ?? ""
        XCTAssertTrue(broken.contains("error: experiments/group/broken/config.yaml:3: invalid YAML"), r.stdout)
        XCTAssertEqual(lines.count, 4, "header plus three configs, one line each:\n\(r.stdout)")
        // Another root, given explicitly.
        let other = Harness.run(["list", "experiments/group"], in: fx.dir)
        XCTAssertEqual(other.status, 0, other.output)
        XCTAssertTrue(other.stdout.contains("beta"))
        XCTAssertFalse(other.stdout.contains("alpha"))
    }

    func testListWithNothingToListFails() {
        let fx = ExperimentFixture("cli-list-empty")
        let r = Harness.run(["list"], in: fx.dir)
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.contains("no config.yaml found under experiments"), r.output)
    }

    func testBadArgumentsExitNonZeroWithAMessageOnStderr() {
        let fx = ExperimentFixture("cli-args")
        let exp = fx.experiment("ok", "name: ok\ndatasource: c_range\nsteps: [c_add]\n")
        let cases: [([String], String)] = [
            (["run", exp, "--replicates", "0"], "--replicates must be at least 1"),
            (["run", exp, "--replicates", "-3"], "--replicates"),
            (["run", exp, "--replicates", "ten"], "ten"),
            (["run", exp, "--strategy", "bogus"], "--strategy must be rerun or resume, got 'bogus'"),
            (["run", exp, "--workers", "0"], "--workers must be at least 1"),
            (["run", exp, "--seed", "-1"], "--seed"),
            (["run"], "Missing expected argument '<target>'"),
            (["run", exp, "--frobnicate"], "--frobnicate"),
            (["frobnicate"], "frobnicate"),
            (["run", exp, "--plugin"], "--plugin needs a path"),
            (["run", exp, "--plugin", "/nonexistent/libNope.so"], "/nonexistent/libNope.so"),
            (["compare", "ok@v0"], "compare needs at least two runs"),
        ]
        for (args, needle) in cases {
            let r = fx.host(args)
            XCTAssertEqual(r.status, 2, "\(args): bad input exits 2: \(r.output)")
            XCTAssertEqual(r.stdout, "", "\(args): errors go to stderr")
            XCTAssertTrue(r.stderr.contains(needle), "\(args): missing '\(needle)' in\n\(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(fx.dir)/data"), "no bad invocation ran anything")
    }

    func testJSONOutputIsParseableAndComplete() throws {
        let fx = ExperimentFixture("cli-json")
        let exp = fx.experiment("js", """
        name: js
        replicates: 3
        datasource: c_range
        steps:
          - c_add
          - step: c_crash
            params: {mode: error, on_replicate: 1}
        treatments:
          more: {amount: 4}
        hypotheses:
          - name: bigger
            verifier: c_greater
            metrics: c_sum
        """)
        let r = fx.run(exp, ["--json"])
        XCTAssertEqual(r.status, 1, r.output)
        let parsed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        let runs = try XCTUnwrap(parsed as? [[String: Any]], "stdout holds nothing but the JSON")
        XCTAssertEqual(runs.count, 1)
        let run = runs[0]
        XCTAssertEqual(run["experiment"] as? String, "js")
        XCTAssertEqual(run["replicates"] as? Int, 3)
        XCTAssertEqual(run["conditions"] as? [String], ["baseline", "more"])
        XCTAssertEqual(run["path"] as? String, fx.version("js"))
        XCTAssertEqual((run["metrics"] as? [String: [String: [Double]]])?["more"]?["c_sum"], [22, 22])
        let failures = try XCTUnwrap(run["failures"] as? [[String: Any]])
        XCTAssertEqual(failures.count, 2)
        XCTAssertEqual(failures.first?["replicate"] as? Int, 1)
        XCTAssertEqual(failures.first?["step"] as? String, "c_crash")
        let h = try XCTUnwrap((run["hypotheses"] as? [[String: Any]])?.first)
        XCTAssertEqual(h["name"] as? String, "bigger")
        XCTAssertEqual((h["ranking"] as? [String: Any])?["best"] as? String, "more")
    }

    func testSummaryShowsStatisticsPerConditionAndTheVerdicts() {
        let fx = ExperimentFixture("cli-summary")
        let exp = fx.experiment("sum", """
        name: sum
        replicates: 3
        datasource: c_range
        steps: [c_add]
        treatments:
          small: {amount: 2}
          big: {amount: 5}
        hypotheses:
          - name: grows
            verifier: c_greater
            metrics: c_sum
            ranker: difference
        """)
        let r = fx.host(["run", exp])
        XCTAssertEqual(r.status, 0, r.output)
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        for row in ["condition metric n mean sd", "baseline c_sum 3 10.0000 0.0000", "small c_sum 3 14.0000 0.0000",
                    "big c_sum 3 26.0000 0.0000", "hypothesis grows (CTestPlugin.c_greater on c_sum)",
                    "treatment p_value significant effect (95% CI) rank", "small 0.0100 yes +4.0000 [4.0000, 4.0000] 1",
                    "big 0.0100 yes +16.0000 [16.0000, 16.0000] 2", "best: small"] {
            XCTAssertTrue(rows.contains(row), "missing row '\(row)' in\n\(r.stdout)")
        }
        XCTAssertTrue(r.stdout.contains("results: \(fx.version("sum"))"), r.stdout)
        XCTAssertFalse(r.stdout.contains("failure"), r.stdout)
    }

    func testRunFailureExitsOneAndSuccessZero() {
        let fx = ExperimentFixture("cli-exit")
        let good = fx.experiment("good", "name: good\ndatasource: c_range\nsteps: [c_add]\n")
        let bad = fx.experiment("bad", "name: bad\nreplicates: 2\ndatasource: c_range\nsteps:\n  - c_crash: {mode: error}\n")
        XCTAssertEqual(fx.run(good).status, 0)
        let r = fx.run(bad)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stdout.contains("2 failure(s):"), r.output)
    }
}
