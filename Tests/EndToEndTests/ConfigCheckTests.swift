import Foundation
import XCTest

/// Configs a strategy or verifier cannot use are refused before anything runs, at their line:
/// unknown execution strategies, unknown verifier parameters (listing the known ones), values
/// a verifier cannot use, and top-level keys nothing reads.
final class ConfigCheckTests: XCTestCase {
    struct Case {
        var label: String
        var body: String
        var line: Int
        var needles: [String]
        var arguments: [String] = []
    }

    static let head = "datasource: c_range\nsteps: [c_add]\n"

    static let cases: [Case] = [
        Case(label: "strategy_mapping", body: "execution:\n  workers: 2\n  strategy: bogus\n", line: 6,
             needles: ["execution.strategy", "unknown execution strategy 'bogus'", "built in: serial, threads, processes, async"]),
        Case(label: "strategy_scalar", body: "execution: bogus\n", line: 4, needles: ["unknown execution strategy 'bogus'"]),
        Case(label: "top_strategy", body: "strategy: resume\n", line: 4, needles: ["'strategy' is not a config key", "--strategy", "execution: {strategy: NAME}"]),
        Case(label: "top_workers", body: "workers: 3\n", line: 4, needles: ["'workers' belongs under execution"]),
        Case(label: "cli_key", body: "cli:\n  group: x\n  colour: red\n", line: 6, needles: ["unknown key 'colour' in cli", "allowed: color, group, hidden, icon, priority"]),
        Case(label: "cli_type", body: "cli:\n  priority: high\n", line: 5, needles: ["expected an integer"]),
        Case(label: "verifier_unknown_param", body: """
            treatments: {more: {amount: 2.0}}
            hypotheses:
              - verifier: welch_t_test
                metrics: c_sum
                params:
                  alhpa: 0.01
            """, line: 9, needles: ["verifier 'welch_t_test' has no parameter 'alhpa'", "its parameters: alpha"]),
        Case(label: "verifier_seed", body: """
            treatments: {more: {amount: 2.0}}
            hypotheses:
              - verifier: bootstrap_ci
                metrics: c_sum
                params: {seed: -1}
            """, line: 8, needles: ["parameter 'seed'", "non-negative integer, got -1"]),
        Case(label: "verifier_huge_resamples", body: """
            treatments: {more: {amount: 2.0}}
            hypotheses:
              - verifier: permutation_test
                metrics: c_sum
                params:
                  resamples: 1.0e30
            """, line: 9, needles: ["parameter 'resamples'", "must be an integer, got f64"]),
        Case(label: "verifier_many_resamples", body: """
            treatments: {more: {amount: 2.0}}
            hypotheses:
              - verifier: bootstrap_ci
                metrics: c_sum
                params:
                  resamples: 100000000000
            """, line: 9, needles: ["must be between 1 and 10000000, got 100000000000"]),
        Case(label: "verifier_alpha", body: """
            treatments: {more: {amount: 2.0}}
            hypotheses:
              - verifier: mann_whitney_u
                metrics: c_sum
                params: {alpha: 2}
            """, line: 8, needles: ["parameter 'alpha'", "between 0 and 1"]),
        Case(label: "plugin_verifier_param", body: """
            treatments: {more: {amount: 2.0}}
            hypotheses:
              - verifier: c_greater
                metrics: c_sum
                params:
                  alhpa: 0.01
            """, line: 9, needles: ["verifier 'CTestPlugin.c_greater' has no parameter 'alhpa'", "its parameters: alpha"]),
    ]

    func testEachBadConfigIsRefusedAtItsLineAndNothingRuns() {
        let f = ExperimentFixture("checks")
        for c in Self.cases {
            let exp = f.experiment(c.label, "name: \(c.label)\n" + Self.head + c.body)
            let r = f.run(exp, c.arguments)
            XCTAssertEqual(r.status, 2, "\(c.label): \(r.output)")
            XCTAssertTrue(r.stderr.contains("experiments/\(c.label)/config.yaml:\(c.line):"), "\(c.label): expected line \(c.line): \(r.stderr)")
            for n in c.needles { XCTAssertTrue(r.stderr.contains(n), "\(c.label): missing '\(n)': \(r.stderr)") }
            XCTAssertEqual(r.stdout, "", c.label)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data/\(c.label)"), "\(c.label): a refused config leaves no data folder")
        }
    }

    func testUnknownStrategyOnTheCommandLineNamesTheOptionAndTheFile() {
        let f = ExperimentFixture("checks-cli")
        let exp = f.experiment("cli_exec", "name: cli_exec\n" + Self.head)
        let r = f.run(exp, ["--execution", "bogus"])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("experiments/cli_exec/config.yaml: --execution bogus: unknown execution strategy 'bogus'"), r.output)
    }

    func testCliSectionIsUsedHiddenExperimentsAreNotListedButRun() {
        let f = ExperimentFixture("checks-hidden")
        let exp = f.experiment("secret", "name: secret\n" + Self.head + "cli: {group: Tools, priority: 3, icon: \"🧪\", color: \"#85C1E9\", hidden: true}\n")
        f.experiment("shown", "name: shown\n" + Self.head + "cli: {group: Tools}\n")
        let list = f.host(["list"])
        XCTAssertEqual(list.status, 0, list.output)
        XCTAssertTrue(list.stdout.contains("shown"), list.output)
        XCTAssertFalse(list.stdout.contains("secret"), list.output)
        let r = f.run(exp)
        XCTAssertEqual(r.status, 0, r.output)
    }

    func testVerifierParametersInRangeRun() {
        let f = ExperimentFixture("checks-ok")
        let exp = f.experiment("fine", "name: fine\nreplicates: 4\n" + Self.head + """
            treatments: {more: {amount: 2.0}}
            hypotheses:
              - {name: boot, verifier: bootstrap_ci, metrics: c_sum, params: {seed: 4294967295, resamples: 200, confidence: 0.9, alpha: 0.1}}
              - {name: perm, verifier: permutation_test, metrics: c_sum, params: {seed: 0, resamples: 50}}
            """)
        let r = f.run(exp)
        XCTAssertEqual(r.status, 0, r.output)
    }
}
