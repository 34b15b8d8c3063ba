import Foundation
import XCTest

/// `report -o PATH`: where the HTML lands for relative, nested and unwritable paths.
final class ReportOutputPathTests: XCTestCase {
    func runSmall(_ fx: ExperimentFixture) {
        let exp = fx.experiment("small", ReportTests.small)
        XCTAssertEqual(fx.run(exp).status, 0)
    }

    func testBareRelativeFileNameIsWrittenInTheCurrentDirectory() {
        let fx = ExperimentFixture("report-out")
        runSmall(fx)
        let r = fx.host(["report", "small", "-o", "out.html"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(Harness.read("\(fx.dir)/out.html").contains("<svg"), r.output)
    }

    func testRelativePathWithMissingFoldersCreatesThem() {
        let fx = ExperimentFixture("report-out-nested")
        runSmall(fx)
        let r = fx.host(["report", "small", "-o", "reports/a/out.html"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(Harness.read("\(fx.dir)/reports/a/out.html").contains("<svg"), r.output)
    }

    func testFolderThatCannotBeCreatedIsNamedInTheError() {
        let fx = ExperimentFixture("report-out-blocked")
        runSmall(fx)
        Harness.write("\(fx.dir)/blocker", "a file, not a folder")
        let r = fx.host(["report", "small", "-o", "blocker/out.html"])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.output.contains("blocker/out.html"), r.output)
        XCTAssertFalse(r.output.contains("NSCocoaErrorDomain"), r.output)
    }
}
