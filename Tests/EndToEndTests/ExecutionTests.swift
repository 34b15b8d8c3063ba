import CrystallizeRuntime
import Foundation
import XCTest

/// Execution strategies: same results under every strategy, isolation, serialization of
/// thread-unsafe steps, plugin run loops, cancellation.
final class ExecutionTests: XCTestCase {
    var dir = ""
    var plugins: [String] { ["--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("CTestPlugin")] }

    override func setUp() { dir = Harness.temporaryDirectory("exec") }

    func demo(_ extra: [String], data: String) -> HostRun {
        Harness.run(plugins + ["run", Harness.repoRoot.appendingPathComponent("experiments/demo").path, "--data-dir", data, "--quiet"] + extra, in: dir)
    }

    func resultBytes(_ data: String, _ exp: String = "demo") -> [String: Data] {
        var out: [String: Data] = [:]
        for c in ["baseline", "add_ten", "more"] {
            if let d = FileManager.default.contents(atPath: "\(dir)/\(data)/\(exp)/v0/\(c)/results.json") { out[c] = d }
        }
        return out
    }

    func testEveryStrategyAndWorkerCountGivesByteIdenticalResults() {
        let reference = demo(["--execution", "serial", "--replicates", "12"], data: "serial")
        XCTAssertEqual(reference.status, 0, reference.output)
        let expected = resultBytes("serial")
        XCTAssertEqual(expected.count, 2)
        let variants: [[String]] = [["--execution", "threads", "--workers", "1"], ["--execution", "threads", "--workers", "4"],
                                    ["--execution", "processes", "--workers", "1"], ["--execution", "processes", "--workers", "3"],
                                    ["--execution", "async", "--workers", "5"], ["--execution", "c_reverse"], ["--execution", "c_workers"]]
        for (i, v) in variants.enumerated() {
            let r = demo(v + ["--replicates", "12"], data: "v\(i)")
            XCTAssertEqual(r.status, 0, "\(v): \(r.output)")
            XCTAssertEqual(resultBytes("v\(i)"), expected, "results differ under \(v)")
        }
    }

    func testExecutionFromConfigIsUsed() {
        Harness.write("\(dir)/experiments/cfg/config.yaml", """
        name: cfg
        replicates: 4
        datasource: c_range
        steps: [c_add]
        execution: {strategy: processes, workers: 2}
        """)
        let r = Harness.run(plugins + ["run", "experiments/cfg", "--json"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let prov = Harness.json("\(dir)/data/cfg/v0/provenance.json") as? [String: Any]
        XCTAssertEqual((prov?["execution"] as? [String: Any])?["strategy"] as? String, "processes")
        XCTAssertEqual((prov?["execution"] as? [String: Any])?["workers"] as? Int, 2)
    }

    func crashConfig(_ mode: String) {
        Harness.write("\(dir)/experiments/crash_\(mode)/config.yaml", """
        name: crash_\(mode)
        replicates: 5
        datasource: c_range
        steps:
          - c_add
          - step: c_crash
            params: {mode: \(mode), on_replicate: 3}
        treatments:
          more: {amount: 2.0}
        """)
    }

    func testProcessIsolationTurnsCrashesIntoFailures() {
        for (mode, expected) in [("segv", "signal 11 (SIGSEGV"), ("abort", "signal 6 (SIGABRT"), ("exit", "exited with status 3")] {
            crashConfig(mode)
            let r = Harness.run(plugins + ["run", "experiments/crash_\(mode)", "--execution", "processes", "--workers", "2"], in: dir)
            XCTAssertEqual(r.status, 1, r.output)
            XCTAssertTrue(r.stdout.contains("replicate 3, baseline"), r.output)
            XCTAssertTrue(r.stdout.contains(expected), "\(mode): \(r.output)")
            let base = Harness.json("\(dir)/data/crash_\(mode)/v0/baseline/results.json") as? [String: Any]
            XCTAssertEqual(((base?["metrics"] as? [String: Any])?["c_sum"] as? [Double])?.count, 4, "the other replicates finish")
            let errors = base?["errors"] as? [[String: Any]]
            XCTAssertEqual(errors?.first?["replicate"] as? Int, 3)
        }
    }

    func testThreadUnsafeStepIsNeverRunConcurrently() {
        Harness.write("\(dir)/experiments/unsafe/config.yaml", """
        name: unsafe
        replicates: 24
        datasource: c_range
        steps: [c_unsafe, c_add]
        """)
        let r = Harness.run(plugins + ["run", "experiments/unsafe", "--execution", "threads", "--workers", "6"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(r.output.contains("ran concurrently"), r.output)
        XCTAssertTrue(r.stderr.contains("'c_unsafe' is not thread-safe"), r.output)
    }

    func testAsyncStepsWaitTogether() throws {
        Harness.write("\(dir)/experiments/sleepy/config.yaml", """
        name: sleepy
        replicates: 100
        datasource: c_range
        steps:
          - step: c_sleep
            params: {ms: 100}
        """)
        let r = Harness.run(plugins + ["run", "experiments/sleepy", "--execution", "async", "--workers", "100", "--json"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let result = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.last)
        // 100 sequential waits would take 10 s; overlapping ones take about one wait.
        XCTAssertLessThan(try XCTUnwrap(result["elapsed_seconds"] as? Double), 5.0)
    }

    func testUnknownStrategyAndBadStrategyParameters() {
        var r = demo(["--execution", "warp"], data: "x")
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("unknown execution strategy 'warp'") && r.stderr.contains("c_reverse"), r.output)
        Harness.write("\(dir)/experiments/badparam/config.yaml", """
        name: badparam
        datasource: c_range
        steps: [c_add]
        execution: {strategy: c_reverse, speed: 3}
        """)
        r = Harness.run(plugins + ["run", "experiments/badparam"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("has no parameter 'speed'"), r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/data/badparam/v0/baseline/results.json"))
    }

    func testInterruptStopsAndResumeCompletesIdentically() throws {
        for execution in ["serial", "processes"] {
            let name = "slow_\(execution)"
            Harness.write("\(dir)/experiments/\(name)/config.yaml", """
            name: \(name)
            replicates: 30
            datasource: c_range
            steps:
              - step: c_sleep
                params: {ms: 60}
              - c_add
            treatments:
              more: {amount: 3.0}
            """)
            let ref = Harness.run(plugins + ["run", "experiments/\(name)", "--data-dir", "ref"], in: dir)
            XCTAssertEqual(ref.status, 0, ref.output)
            let p = Harness.start(plugins + ["run", "experiments/\(name)", "--execution", execution, "--workers", "2", "--quiet"], in: dir)
            // Interrupted once a few replicates are checkpointed (the run takes 30): when, not whether.
            let journal = "\(dir)/data/\(name)/v0/replicates.journal"
            Poll.until("checkpointed records") { CheckpointJournal.read(journal).outcomes.count >= 4 }
            kill(p.processIdentifier, SIGINT)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 130, "\(execution): cancelled runs exit 130")
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/data/\(name)/v0/baseline/.crystallize_complete"), "an interrupted run is not complete")
            let resumed = Harness.run(plugins + ["run", "experiments/\(name)", "--strategy", "resume", "--json"], in: dir)
            XCTAssertEqual(resumed.status, 0, resumed.output)
            let json = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [[String: Any]])?.last)
            XCTAssertLessThan(try XCTUnwrap(json["executed_conditions"] as? Int), 60, "resume runs only what is missing")
            for c in ["baseline", "more"] {
                XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/data/\(name)/v0/\(c)/results.json"),
                               FileManager.default.contents(atPath: "\(dir)/ref/\(name)/v0/\(c)/results.json"), "\(execution) \(c)")
            }
        }
    }

    func testQuietAndNonTerminalPrintOnlyTheSummary() {
        let r = demo([], data: "q")
        XCTAssertEqual(r.status, 0)
        XCTAssertFalse(r.stderr.contains("replicates 10/10"), "no progress line when stderr is not a terminal")
        XCTAssertTrue(r.stdout.contains("best: add_ten"))
    }
}
