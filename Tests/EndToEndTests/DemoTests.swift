import XCTest

/// The seed demo, end to end, as a newcomer runs it.
final class DemoTests: XCTestCase {
    func testDemoRunsAndWritesCrystallizeLayout() throws {
        let dir = Harness.temporaryDirectory("demo")
        let r = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", Harness.repoRoot.appendingPathComponent("experiments/demo").path], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("hypothesis total_increases"), r.output)
        XCTAssertTrue(r.stdout.contains("best: add_ten"), r.output)
        for f in ["metadata.json", "baseline/results.json", "baseline/.crystallize_complete", "add_ten/results.json", "add_ten/.crystallize_complete", "provenance.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/data/demo/v0/\(f)"), "missing \(f)")
        }
        let results = Harness.json("\(dir)/data/demo/v0/add_ten/results.json") as? [String: Any]
        let totals = (results?["metrics"] as? [String: Any])?["total"] as? [Double]
        XCTAssertEqual(totals?.count, 10)
    }
}
