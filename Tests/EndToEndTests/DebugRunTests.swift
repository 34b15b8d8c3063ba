import Foundation
import XCTest

/// `run --debug`: one replicate printed step by step as it runs, nothing stored.
final class DebugRunTests: XCTestCase {
    let f = ExperimentFixture("debug")

    override func setUp() {
        f.experiment("dbg", """
        name: dbg
        replicates: 4
        datasource: c_range
        steps:
          - c_add
          - step: c_log
            params: {message: "said", level: 0}
          - c_scale
        treatments:
          more: {amount: 5.0}
        hypotheses:
          - {name: sum_grows, verifier: welch_t_test, metrics: c_sum}
        """)
    }

    /// Lines of `text` that contain `needle`, with their positions, for order checks.
    func position(_ needle: String, in text: String, file: StaticString = #filePath, line: UInt = #line) -> Int {
        guard let r = text.range(of: needle) else {
            XCTFail("missing '\(needle)' in:\n\(text)", file: file, line: line)
            return -1
        }
        return text.distance(from: text.startIndex, to: r.lowerBound)
    }

    func testBaselineStepsAreTracedInOrderAndNothingIsStored() {
        let r = f.host(["run", "experiments/dbg", "--debug"])
        XCTAssertEqual(r.status, 0, r.output)
        let out = r.stdout
        XCTAssertTrue(out.contains("replicate 0 of baseline"), out)
        XCTAssertTrue(out.contains("hypotheses skipped: sum_grows"), out)
        XCTAssertTrue(out.contains("nothing is written under data/; the step cache is not used"), out)
        XCTAssertTrue(out.contains("not run: more"), out)
        // Each stage: its input, each parameter with its origin, its output and what it added.
        let order = [
            "step c_range (datasource)", "param   n = 4  (default)", "output  f64[] [0.0, 1.0, 2.0, 3.0]",
            "step c_add", "input   f64[] [0.0, 1.0, 2.0, 3.0]", "param   amount = 1.0  (default)",
            "output  f64[] [1.0, 2.0, 3.0, 4.0]", "context + c_touched = true", "metric  c_sum <- 10.0", "done    c_add in ",
            "step c_log", "param   message = \"said\"  (param)", "param   level = 0  (param)",
            // A debug-level log line is shown, where it happened: inside its step.
            "log debug: [c_log r0 baseline] said r0", "done    c_log in ",
            "step c_scale", "param   factor = 2.0  (default)", "output  f64[] [2.0, 4.0, 6.0, 8.0]",
            "artifacts written", "c_add/sum.txt", "metrics: c_sum = [10.0]", "replicate 0 of baseline succeeded (4 steps)",
        ]
        let positions = order.map { position($0, in: out) }
        XCTAssertEqual(positions, positions.sorted(), "printed out of order:\n\(out)")
        // Nothing under the data folder, no cache entries.
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data"), "debug wrote under data/: \(f.files(f.dir))")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/.cache"), "debug used the step cache: \(f.files(f.dir))")
    }

    func testATreatmentTakesItsKeysFromTheContext() {
        let r = f.host(["run", "experiments/dbg", "--debug", "--treatment", "more"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("replicate 0 of more"), r.output)
        XCTAssertTrue(r.stdout.contains("param   amount = 5.0  (context, from treatment more)"), r.output)
        XCTAssertTrue(r.stdout.contains("metric  c_sum <- 26.0"), r.output)
        XCTAssertTrue(r.stdout.contains("not run: baseline"), r.output)
        // A --set value is an explicit param.
        let set = f.host(["run", "experiments/dbg", "--debug", "--set", "c_add.amount=2"])
        XCTAssertEqual(set.status, 0, set.output)
        XCTAssertTrue(set.stdout.contains("param   amount = 2.0  (param)"), set.output)
        // A long value is abridged to its first items and a count.
        let long = f.host(["run", "experiments/dbg", "--debug", "--set", "c_range.n=50"])
        XCTAssertEqual(long.status, 0, long.output)
        XCTAssertTrue(long.stdout.contains("output  f64[] [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, ... 44 more]"), long.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data"))
    }

    func testAFailingStepExitsOneAndBadArgumentsExitTwo() {
        f.experiment("bad", """
        name: bad
        datasource: c_range
        steps:
          - step: c_crash
            params: {mode: error}
          - c_add
        """)
        let r = f.host(["run", "experiments/bad", "--debug"])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stdout.contains("FAILED  c_crash: c_crash was asked to fail"), r.output)
        XCTAssertTrue(r.stdout.contains("replicate 0 of baseline FAILED in step 'c_crash'"), r.output)
        XCTAssertFalse(r.stdout.contains("step c_add"), "no step runs after the failure: \(r.output)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data"))

        let unknown = f.host(["run", "experiments/dbg", "--debug", "--treatment", "nope"])
        XCTAssertEqual(unknown.status, 2, unknown.output)
        XCTAssertTrue(unknown.stderr.contains("--treatment 'nope' is not defined; defined (own and inherited): more"), unknown.output)
        let clash = f.host(["run", "experiments/dbg", "--debug", "--json"])
        XCTAssertEqual(clash.status, 2, clash.output)
        XCTAssertTrue(clash.stderr.contains("--debug prints one replicate as it runs; it does not combine with --json"), clash.output)
        for (flag, value) in [("--reset-toggles", nil), ("--replicates", "3"), ("--execution", "processes"), ("--strategy", "resume"), ("--fail-fast", nil)] {
            let r = f.host(["run", "experiments/dbg", "--debug", flag] + (value.map { [$0] } ?? []))
            XCTAssertEqual(r.status, 2, "\(flag): \(r.output)")
            XCTAssertTrue(r.stderr.contains("it does not combine with \(flag)"), r.output)
        }
        let two = f.host(["run", "experiments/dbg", "--debug", "--treatment", "more", "--treatment", "baseline"])
        XCTAssertEqual(two.status, 2, two.output)
        XCTAssertTrue(two.stderr.contains("--debug runs one condition"), two.output)
    }

    func testAConsumerReadsItsUpstreamsStoredArtifactsWithoutRunningIt() {
        let g = GraphFixture("debug-graph")
        let missing = g.host(["run", "experiments/consumer", "--debug"])
        XCTAssertEqual(missing.status, 2, "no stored upstream run: \(missing.output)")
        XCTAssertTrue(missing.stderr.contains("producer"), missing.output)
        XCTAssertFalse(g.exists("\(g.dir)/data"), "debug wrote under data/")
        XCTAssertEqual(g.run("producer").run.status, 0)
        let before = f.snapshot("\(g.dir)/data")
        let r = g.host(["run", "experiments/consumer", "--debug", "--treatment", "double"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("upstream not run, its stored artifacts are read: producer"), r.output)
        XCTAssertTrue(r.stdout.contains("metric  upstream_replicate <- 0"), r.output)
        XCTAssertTrue(r.stdout.contains("param   factor = 4.0  (context, from treatment double)"), r.output)
        XCTAssertEqual(f.snapshot("\(g.dir)/data"), before, "debug changed the data folder")
    }
}
