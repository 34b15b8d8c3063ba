import Foundation
import XCTest

/// A plugin that crashes (abort) in step setup, teardown, a hook or a verifier, under process
/// execution: the run says what happened, nothing finished is lost, and a later run completes.
final class PluginCrashTests: XCTestCase {
    private let extra = [Harness.plugin("ReliabilityTestPlugin")]

    private func experiment(_ f: ExperimentFixture, _ name: String) -> String {
        f.experiment(name, """
        name: \(name)
        replicates: 3
        datasource: c_range
        steps:
          - rt_crashy
          - c_add
        treatments:
          more: {amount: 2.0}
        hypotheses:
          - {verifier: rt_verifier, metrics: c_sum}
        """)
    }

    private func run(_ f: ExperimentFixture, _ exp: String, crash: String?, _ more: [String] = []) -> HostRun {
        f.run(exp, ["--execution", "processes", "--workers", "2"] + more, extraPlugins: extra,
              environment: crash.map { ["RT_CRASH": $0, "SWIFT_BACKTRACE": "enable=no"] } ?? [:])
    }

    func testACrashInStepSetupFailsEachConditionNamingTheSignal() {
        let f = ExperimentFixture("crash-setup")
        let exp = experiment(f, "setup")
        let r = run(f, exp, crash: "setup")
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stdout.contains("6 failure(s)"), r.output)
        XCTAssertTrue(r.stdout.contains("replicate 0, baseline, step <worker>: worker process killed by signal 6 (SIGABRT"), r.output)
        let errors = (f.object("\(f.version("setup"))/baseline/results.json")["errors"] as? [Any])?.count
        XCTAssertEqual(errors, 3, "results.json lists each failure")
        let again = run(f, exp, crash: nil)
        XCTAssertEqual(again.status, 0, again.output)
    }

    func testACrashInTeardownKeepsEveryResultAndSaysSo() {
        let f = ExperimentFixture("crash-teardown")
        let exp = experiment(f, "teardown")
        let r = run(f, exp, crash: "teardown")
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("warning: a worker process killed by signal 6 (SIGABRT: Aborted) after its last replicate (in a plugin's teardown or shutdown); its results are kept"), r.output)
        XCTAssertEqual(f.metric("teardown", "more", "c_sum"), [14, 14, 14])
    }

    func testACrashInAHookKillsTheHostAndTheNextRunTakesOverAndCompletes() {
        let f = ExperimentFixture("crash-hook")
        let exp = experiment(f, "hook")
        let r = run(f, exp, crash: "hook")
        XCTAssertEqual(r.status, 6, "the hook runs in the host, so the host dies of the plugin's abort: \(r.output)")
        let again = run(f, exp, crash: nil)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.stderr.contains("took over the lock"), again.output)
        XCTAssertEqual(f.metric("hook", "baseline", "c_sum"), [10, 10, 10])
    }

    func testACrashInAVerifierLosesNoResultsAndResumeLoadsThem() {
        let f = ExperimentFixture("crash-verifier")
        let exp = experiment(f, "verifier")
        let r = run(f, exp, crash: "verifier")
        XCTAssertEqual(r.status, 6, r.output)
        // Results and their markers were written before hypotheses were tested.
        XCTAssertEqual(f.metric("verifier", "baseline", "c_sum"), [10, 10, 10])
        XCTAssertEqual(f.metric("verifier", "more", "c_sum"), [14, 14, 14])
        let resumed = run(f, exp, crash: nil, ["--strategy", "resume", "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.stdout.contains("\"loaded_from_disk\" : true") || resumed.stdout.contains("\"loaded_from_disk\": true"), resumed.output)
        XCTAssertTrue(resumed.stdout.contains("\"p_value\""), "the hypothesis is tested on resume: \(resumed.output)")
    }
}
