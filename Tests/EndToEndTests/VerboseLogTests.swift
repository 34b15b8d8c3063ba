import Foundation
import XCTest

/// `run -v`: plugin log lines of debug level are printed only when asked for; steps.log keeps
/// every level either way.
final class VerboseLogTests: XCTestCase {
    func testDebugLinesArePrintedOnlyWithVerbose() {
        let f = ExperimentFixture("verbose")
        f.experiment("talk", """
        name: talk
        replicates: 2
        datasource: c_range
        steps:
          - step: c_log
            params: {message: "quiet detail", level: 0}
          - step: c_log
            params: {message: "plain news", level: 1}
        """)
        let plain = f.host(["run", "experiments/talk", "--no-cache"])
        XCTAssertEqual(plain.status, 0, plain.output)
        XCTAssertTrue(plain.stderr.contains("plain news r1"), plain.output)
        XCTAssertFalse(plain.stderr.contains("quiet detail"), "debug level is hidden by default: \(plain.output)")
        let log = Harness.read("\(f.version("talk"))/steps.log")
        XCTAssertTrue(log.contains("debug [c_log r0 baseline] quiet detail r0"), "steps.log keeps debug lines: \(log)")

        for flag in ["-v", "--verbose"] {
            let loud = f.host(["run", "experiments/talk", "--no-cache", flag])
            XCTAssertEqual(loud.status, 0, loud.output)
            XCTAssertTrue(loud.stderr.contains("debug: [c_log r0 baseline] quiet detail r0"), "\(flag): \(loud.output)")
            XCTAssertTrue(loud.stderr.contains("debug: [c_log r1 baseline] quiet detail r1"), "\(flag): \(loud.output)")
        }
        let help = f.host(["run", "--help"])
        XCTAssertTrue(help.stdout.contains("-v, --verbose"), help.output)
    }
}
