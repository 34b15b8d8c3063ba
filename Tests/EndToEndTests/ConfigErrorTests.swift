import Foundation
import XCTest

/// Every kind of bad config.yaml: the message names the file and the line (file:line), says
/// what is wrong (and, for unknown names, which names exist), the exit status is non-zero,
/// nothing goes to stdout, and data/ is left exactly as it was.
final class ConfigErrorTests: XCTestCase {
    /// One broken config: its text, the line the message must name, and phrases it must hold.
    struct Case {
        var label: String
        var yaml: String
        var line: Int
        var needles: [String]
    }

    static let cases: [Case] = [
        Case(label: "replicates_type", yaml: """
            name: replicates_type
            replicates: "ten"
            datasource: numbers
            steps: [add_delta]
            """, line: 2, needles: ["replicates", "expected an integer", "'ten'"]),
        Case(label: "replicates_zero", yaml: """
            name: replicates_zero
            datasource: numbers
            replicates: 0
            steps: [add_delta]
            """, line: 3, needles: ["replicates must be at least 1"]),
        Case(label: "seed_type", yaml: """
            name: seed_type
            datasource: numbers
            steps: [add_delta]
            seed: 1.5
            """, line: 4, needles: ["seed", "expected an integer"]),
        Case(label: "seed_range", yaml: """
            name: seed_range
            datasource: numbers
            seed: 99999999999999999999
            steps: [add_delta]
            """, line: 3, needles: ["seed", "integer 99999999999999999999 is out of range"]),
        Case(label: "cache_type", yaml: """
            name: cache_type
            datasource: numbers
            steps: [add_delta]
            cache: maybe
            """, line: 4, needles: ["cache", "expected true or false"]),
        Case(label: "steps_type", yaml: """
            name: steps_type
            datasource: numbers
            steps: add_delta
            """, line: 3, needles: ["steps", "expected a list of steps"]),
        Case(label: "unknown_top_key", yaml: """
            name: unknown_top_key
            datasource: numbers
            steps: [add_delta]
            replicate: 3
            """, line: 4, needles: ["unknown key 'replicate'", "allowed here:", "replicates"]),
        Case(label: "unknown_step_key", yaml: """
            name: unknown_step_key
            datasource: numbers
            steps:
              - add_delta
              - step: record_metric
                parms: {}
            """, line: 6, needles: ["steps[1].parms", "unknown key 'parms'", "params"]),
        Case(label: "unknown_hypothesis_key", yaml: """
            name: unknown_hypothesis_key
            datasource: numbers
            steps: [add_delta, record_metric]
            hypotheses:
              - name: h
                verifier: welch_t_test
                metrics: total
                alpha: 0.01
            """, line: 8, needles: ["hypotheses[0].alpha", "unknown key 'alpha'", "params"]),
        Case(label: "unknown_output_key", yaml: """
            name: unknown_output_key
            datasource: numbers
            steps: [add_delta]
            outputs:
              table:
                file_name: table.txt
                format: csv
            """, line: 7, needles: ["outputs.table.format", "unknown key 'format'", "file_name"]),
        Case(label: "unknown_step", yaml: """
            name: unknown_step
            datasource: numbers
            steps:
              - add_delta
              - add_delt
            """, line: 5, needles: ["unknown step 'add_delt'", "known steps:", "add_delta", "record_metric", "c_add"]),
        Case(label: "unknown_datasource", yaml: """
            name: unknown_datasource
            datasource: numberz
            steps: [add_delta]
            """, line: 2, needles: ["unknown datasource 'numberz'", "known datasources:", "numbers", "c_range"]),
        Case(label: "unknown_verifier", yaml: """
            name: unknown_verifier
            datasource: numbers
            steps: [add_delta, record_metric]
            hypotheses:
              - verifier: welsh
                metrics: total
            """, line: 5, needles: ["unknown verifier 'welsh'", "c_greater", "welch_t_test", "mann_whitney_u"]),
        Case(label: "unknown_codec", yaml: """
            name: unknown_codec
            datasource: numbers
            steps: [add_delta]
            outputs:
              table: {writer: parquet}
            """, line: 5, needles: ["parquet", "c_upper", "json"]),
        Case(label: "unknown_plugin", yaml: """
            name: unknown_plugin
            plugins: [MySteps, NoSuchPlugin]
            datasource: numbers
            steps: [add_delta]
            """, line: 2, needles: ["plugin 'NoSuchPlugin' not found"]),
        Case(label: "missing_name", yaml: """
            replicates: 2
            datasource: numbers
            steps: [add_delta]
            """, line: 1, needles: ["missing required key 'name'"]),
        Case(label: "missing_steps", yaml: """
            name: missing_steps
            datasource: numbers
            """, line: 1, needles: ["missing required key 'steps'"]),
        Case(label: "missing_datasource", yaml: """
            name: missing_datasource
            steps: [add_delta]
            """, line: 1, needles: ["missing required key 'datasource'"]),
        Case(label: "missing_verifier", yaml: """
            name: missing_verifier
            datasource: numbers
            steps: [add_delta, record_metric]
            hypotheses:
              - name: h
                metrics: total
            """, line: 5, needles: ["needs a 'verifier'"]),
        Case(label: "missing_metrics", yaml: """
            name: missing_metrics
            datasource: numbers
            steps: [add_delta, record_metric]
            hypotheses:
              - name: h
                verifier: welch_t_test
            """, line: 5, needles: ["needs 'metrics'"]),
        Case(label: "empty_metrics", yaml: """
            name: empty_metrics
            datasource: numbers
            steps: [add_delta, record_metric]
            hypotheses:
              - verifier: welch_t_test
                metrics: []
            """, line: 6, needles: ["metrics must not be empty"]),
        Case(label: "invalid_yaml_flow", yaml: """
            name: invalid_yaml_flow
            datasource: numbers
            steps: [add_delta
            treatments:
              a: {delta: 1}
            """, line: 4, needles: ["invalid YAML", "did not find expected ',' or ']'"]),
        Case(label: "invalid_yaml_indent", yaml: """
            name: invalid_yaml_indent
            datasource: numbers
            steps:
              - add_delta
             treatments: {}
            """, line: 5, needles: ["invalid YAML"]),
        Case(label: "unknown_parameter", yaml: """
            name: unknown_parameter
            datasource: numbers
            steps:
              - record_metric
              - add_delta:
                  delt: 3
            """, line: 6, needles: ["steps[1].add_delta.delt", "has no parameter 'delt'", "its parameters: delta"]),
        Case(label: "datasource_parameter", yaml: """
            name: datasource_parameter
            datasource:
              numbers: {cnt: 3}
            steps: [add_delta]
            """, line: 3, needles: ["has no parameter 'cnt'", "count", "noise"]),
        Case(label: "parameter_type", yaml: """
            name: parameter_type
            datasource: numbers
            steps:
              - step: add_delta
                params:
                  delta: lots
            """, line: 6, needles: ["steps[0].params.delta", "parameter 'delta'", "must be f64", "got string"]),
        Case(label: "treatment_type", yaml: """
            name: treatment_type
            datasource: numbers
            steps: [add_delta]
            treatments:
              more:
                delta: "ten"
            """, line: 6, needles: ["treatment 'more'", "'delta'", "must be f64"]),
        Case(label: "treatment_host_key", yaml: """
            name: treatment_host_key
            datasource: c_seeded
            steps: [c_is_positive]
            treatments:
              sneaky:
                seed_used: 5
            """, line: 6, needles: ["treatment 'sneaky' sets 'seed_used'", "replicate, condition, seed_used", "add-only"]),
        Case(label: "duplicate_top_key", yaml: """
            name: duplicate_top_key
            datasource: numbers
            steps: [add_delta]
            replicates: 3
            replicates: 4
            """, line: 5, needles: ["key 'replicates' appears twice", "first at line 4"]),
        Case(label: "duplicate_treatment", yaml: """
            name: duplicate_treatment
            datasource: numbers
            steps: [add_delta]
            treatments:
              more: {delta: 1}
              more: {delta: 2}
            """, line: 6, needles: ["key 'more' appears twice"]),
        Case(label: "duplicate_param", yaml: """
            name: duplicate_param
            datasource: numbers
            steps:
              - step: add_delta
                params: {delta: 1, delta: 2}
            """, line: 5, needles: ["key 'delta' appears twice"]),
    ]

    func testEveryBadConfigNamesFileAndLineAndTouchesNothing() {
        let fx = ExperimentFixture("config-errors")
        for c in Self.cases {
            fx.experiment(c.label, c.yaml + "\n")
            // A previous run's results must survive a run that fails validation.
            Harness.write("\(fx.version(c.label))/baseline/results.json", "{\"metrics\": {\"total\": [1.0]}}")
            Harness.write("\(fx.version(c.label))/baseline/.crystallize_complete", "")
            let before = fx.snapshot("\(fx.dir)/data")
            let r = fx.run("experiments/\(c.label)")
            XCTAssertNotEqual(r.status, 0, "\(c.label): \(r.output)")
            XCTAssertEqual(r.status, 2, "\(c.label): config errors exit 2: \(r.output)")
            XCTAssertEqual(r.stdout, "", "\(c.label): errors go to stderr only")
            XCTAssertTrue(r.stderr.contains("experiments/\(c.label)/config.yaml:\(c.line): "), "\(c.label): expected file:\(c.line) in\n\(r.stderr)")
            for n in c.needles { XCTAssertTrue(r.stderr.contains(n), "\(c.label): missing '\(n)' in\n\(r.stderr)") }
            XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count, 1, "\(c.label): one error line\n\(r.stderr)")
            XCTAssertEqual(fx.snapshot("\(fx.dir)/data"), before, "\(c.label): data/ changed")
        }
        // No cache, journal or work folder was created for any of them either.
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(fx.dir)/.cache"))
    }

    func testEmptyAndMissingConfigs() {
        let fx = ExperimentFixture("config-missing")
        Harness.write("\(fx.dir)/experiments/empty/config.yaml", "")
        let empty = fx.run("experiments/empty")
        XCTAssertEqual(empty.status, 2, empty.output)
        XCTAssertTrue(empty.stderr.contains("experiments/empty/config.yaml: the file is empty"), empty.output)
        try? FileManager.default.createDirectory(atPath: "\(fx.dir)/experiments/none", withIntermediateDirectories: true)
        let none = fx.run("experiments/none")
        XCTAssertEqual(none.status, 2, none.output)
        XCTAssertTrue(none.stderr.contains("no config.yaml in experiments/none"), none.output)
        let nowhere = fx.run("experiments/nowhere")
        XCTAssertEqual(nowhere.status, 2, nowhere.output)
        XCTAssertTrue(nowhere.stderr.contains("experiments/nowhere: no such file or folder"), nowhere.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(fx.dir)/data"), "a failed validation creates no data folder")
    }

    func testTopLevelMustBeAMapping() {
        let fx = ExperimentFixture("config-list")
        fx.experiment("list", "- name: list\n- steps: []\n")
        let r = fx.run("experiments/list")
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("experiments/list/config.yaml:1: "), r.output)
        XCTAssertTrue(r.stderr.contains("expected a mapping"), r.output)
    }

    func testUnknownTreatmentOnTheCommandLineChangesNothing() {
        let fx = ExperimentFixture("config-treatment")
        let exp = fx.experiment("pick", """
        name: pick
        datasource: c_range
        steps: [c_add]
        treatments:
          a: {amount: 2}
          b: {amount: 3}
        """)
        XCTAssertEqual(fx.run(exp).status, 0)
        let before = fx.snapshot("\(fx.dir)/data")
        let r = fx.run(exp, ["--treatment", "a", "--treatment", "zzz"])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("experiments/pick/config.yaml"), r.output)
        XCTAssertTrue(r.stderr.contains("--treatment 'zzz' is not defined"), r.output)
        XCTAssertTrue(r.stderr.contains(": a, b"), "the defined treatments are listed: \(r.output)")
        XCTAssertEqual(fx.snapshot("\(fx.dir)/data"), before)
    }
}
