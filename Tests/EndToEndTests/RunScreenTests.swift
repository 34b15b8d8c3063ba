import XCTest

/// The run screen from the command line when there is no terminal to draw on.
final class RunScreenTests: XCTestCase {
    func testRunUIWithoutATerminalFallsBackToTheProgressLine() {
        let f = ExperimentFixture("screen")
        f.experiment("demo", """
        name: demo
        replicates: 2
        datasource: numbers
        steps: [add_delta, record_metric]
        treatments:
          add_ten: {delta: 10}
        hypotheses:
          - {name: total_increases, verifier: welch_t_test, metrics: total}
        """)
        let r = f.host(["run", "experiments/demo", "--ui"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("--ui needs a terminal"), r.output)
        XCTAssertTrue(r.stdout.contains("best:"), r.output)
        let ui = f.host(["ui"])
        XCTAssertEqual(ui.status, 2, ui.output)
        XCTAssertTrue(ui.stderr.contains("ui needs a terminal"), ui.output)
    }
}
