import Foundation
import XCTest

/// A failure writing results.json / provenance / metadata after every replicate ran: the same
/// resume hint as a failed journal write, exit 1, and the journal keeps every replicate.
final class ResultsWriteFailureTests: XCTestCase {
    func testFailedFinalWriteSaysHowManyAreSafeAndResumeWritesIdenticalResults() {
        let fx = ExperimentFixture("results-write")
        let exp = fx.experiment("small", ReportTests.small)
        let reference = fx.run(exp, ["--data-dir", "reference"])
        XCTAssertEqual(reference.status, 0, reference.output)

        let failed = fx.run(exp, ["--data-dir", "faulty"], environment: ["CRYSTALLIZE_FAULT_RESULTS_WRITE": "1"])
        XCTAssertEqual(failed.status, 1, failed.output)
        XCTAssertTrue(failed.stderr.contains("No space left on device"), failed.output)
        XCTAssertTrue(failed.stderr.contains("faulty/small/v0"), "names where: \(failed.output)")
        XCTAssertTrue(failed.stderr.contains("4 of 4 replicate(s) are safe"), failed.output)
        XCTAssertTrue(failed.stderr.contains("--strategy resume"), failed.output)

        let resumed = fx.run(exp, ["--data-dir", "faulty", "--strategy", "resume"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        for condition in ["baseline", "up", "far"] {
            let a = Harness.read("\(fx.dir)/reference/small/v0/\(condition)/results.json")
            XCTAssertFalse(a.isEmpty)
            XCTAssertEqual(a, Harness.read("\(fx.dir)/faulty/small/v0/\(condition)/results.json"), condition)
        }
    }
}
