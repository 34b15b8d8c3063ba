import Foundation
import XCTest

/// retries: N / --retries N re-run a failed (replicate, condition) under every strategy, every
/// attempt is in provenance, the summary counts retried and finally failed; --fail-fast stops
/// scheduling at the first failure with no retry left, keeps what finished and exits 1.
final class RetryTests: XCTestCase {
    private let extra = [Harness.plugin("ReliabilityTestPlugin")]

    private func flaky(_ f: ExperimentFixture, _ name: String, failures: Int, retries: Int?, replicates: Int = 3) -> String {
        let attempts = "\(f.dir)/attempts-\(name)"
        try! FileManager.default.createDirectory(atPath: attempts, withIntermediateDirectories: true)
        return f.experiment(name, """
        name: \(name)
        replicates: \(replicates)
        \(retries.map { "retries: \($0)" } ?? "")
        datasource: c_range
        steps:
          - rt_flaky: {dir: "\(attempts)", failures: \(failures)}
        treatments:
          more: {n: 3}
        """)
    }

    func testAFlakyStepSucceedsOnItsRetryUnderEveryStrategy() {
        let f = ExperimentFixture("retry")
        let strategies: [(String, [String])] = [
            ("serial", []), ("threads", ["--workers", "2"]), ("processes", ["--workers", "2"]), ("async", ["--workers", "2"]),
            ("c_reverse", []), ("c_workers", []),
        ]
        for (i, (strategy, workers)) in strategies.enumerated() {
            let name = "flaky_\(strategy)"
            // Half from config.yaml, half from the command line.
            let fromConfig = i % 2 == 0
            let exp = flaky(f, name, failures: 1, retries: fromConfig ? 1 : nil)
            let r = f.run(exp, ["--execution", strategy] + workers + (fromConfig ? [] : ["--retries", "1"]), extraPlugins: extra)
            XCTAssertEqual(r.status, 0, "\(strategy): \(r.output)")
            XCTAssertTrue(r.stdout.contains("retried: 6 (replicate, condition) run(s); finally failed: 0"), "\(strategy): \(r.output)")
            XCTAssertTrue(r.stderr.contains("note: retrying 6 failed (replicate, condition) run(s): attempt 2 of 2"), "\(strategy): \(r.output)")
            XCTAssertEqual(f.metric(name, "baseline", "attempts"), [2, 2, 2], strategy)
            XCTAssertEqual(f.metric(name, "more", "attempts"), [2, 2, 2], strategy)
            let runs = f.provenanceRuns(name)
            XCTAssertEqual(runs.count, 6, strategy)
            for run in runs {
                XCTAssertEqual(run["attempts"] as? Int, 2, "\(strategy): \(run)")
                let earlier = run["earlier_attempts"] as? [[String: Any]]
                XCTAssertEqual(earlier?.count, 1, "\(strategy): \(run)")
                let message = (earlier?.first?["error"] as? [String: Any])?["message"] as? String ?? ""
                XCTAssertTrue(message.contains("attempt 1 of replicate") && message.contains("fails on purpose"), "\(strategy): \(message)")
            }
        }
    }

    func testFailuresBeyondTheRetriesAreCountedAsFinallyFailed() {
        let f = ExperimentFixture("retry-out")
        let exp = flaky(f, "stubborn", failures: 3, retries: 2)
        let r = f.run(exp, ["--json"], extraPlugins: extra)
        XCTAssertEqual(r.status, 1, r.output)
        let result = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [[String: Any]]
        XCTAssertEqual(result?.first?["retried"] as? Int, 6, r.output)
        XCTAssertEqual((result?.first?["failures"] as? [Any])?.count, 6, r.output)
        let runs = f.provenanceRuns("stubborn")
        XCTAssertEqual(runs.map { $0["attempts"] as? Int }, Array(repeating: 3, count: 6), "every attempt is in provenance")
        let plain = f.run(flaky(f, "stubborn_plain", failures: 3, retries: 2), [], extraPlugins: extra)
        XCTAssertTrue(plain.stdout.contains("retried: 6 (replicate, condition) run(s); finally failed: 6"), plain.output)
    }

    func testFailFastStopsSchedulingKeepsWhatFinishedAndExitsOne() {
        let f = ExperimentFixture("failfast")
        for (strategy, workers) in [("serial", [String]()), ("processes", ["--workers", "1"])] {
            let name = "ff_\(strategy)"
            let exp = f.experiment(name, """
            name: \(name)
            replicates: 30
            datasource: c_range
            steps:
              - c_crash: {mode: error, on_replicate: 3}
              - rt_draw
            """)
            let r = f.run(exp, ["--fail-fast", "--execution", strategy] + workers, extraPlugins: extra)
            XCTAssertEqual(r.status, 1, "\(strategy): \(r.output)")
            XCTAssertTrue(r.stdout.contains("fail-fast: stopped scheduling at the first failure"), "\(strategy): \(r.output)")
            XCTAssertTrue(r.stdout.contains("replicate 3, baseline, step c_crash: c_crash was asked to fail"), "\(strategy): \(r.output)")
            // Replicates 0-2 finished and are kept; nothing after the failure was scheduled.
            let runs = f.provenanceRuns(name)
            XCTAssertEqual(runs.compactMap { $0["replicate"] as? Int }, [0, 1, 2, 3], "\(strategy): \(runs.map { $0["replicate"] ?? "?" })")
            XCTAssertEqual(f.metric(name, "baseline", "draw")?.count, 3, strategy)
        }
    }

    func testRetriesOutOfRangeAreRefused() {
        let f = ExperimentFixture("retry-bad")
        let exp = f.experiment("bad", "name: bad\ndatasource: c_range\nsteps: [c_add]\nretries: -2\n")
        let r = f.run(exp)
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("experiments/bad/config.yaml:4: retries: retries must be between 0 and 100, got -2"), r.output)
        let cli = f.run(f.experiment("good", "name: good\ndatasource: c_range\nsteps: [c_add]\n"), ["--retries", "1000"])
        XCTAssertNotEqual(cli.status, 0, cli.output)
        XCTAssertTrue(cli.stderr.contains("--retries must be between 0 and 100"), cli.output)
    }
}
