import Foundation
import XCTest

/// The Swift SDK registers every kind of export with closures (MySteps uses each one).
final class SwiftSDKTests: XCTestCase {
    func testAsyncStepVerifierHookAndStrategyFromSwift() throws {
        let dir = Harness.temporaryDirectory("sdk")
        Harness.write("\(dir)/experiments/sdk/config.yaml", """
        name: sdk
        replicates: 8
        seed: 9
        datasource: numbers
        steps:
          - step: wait
            params: {ms: 30}
          - add_delta
          - record_metric
        treatments:
          add_ten: {delta: 10}
        hypotheses:
          - name: raises
            verifier: mean_difference
            metrics: total
            params: {threshold: 5.0}
        """)
        let plugin = ["--plugin", Harness.plugin("MySteps")]
        let reference = Harness.run(plugin + ["run", "experiments/sdk", "--data-dir", "ref", "--json"], in: dir)
        XCTAssertEqual(reference.status, 0, reference.output)
        XCTAssertTrue(reference.stderr.contains("MySteps: starting sdk") && reference.stderr.contains("MySteps: finished sdk"), reference.output)
        let json = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(reference.stdout.utf8)) as? [[String: Any]])?.last)
        let hypothesis = try XCTUnwrap((json["hypotheses"] as? [[String: Any]])?.first)
        let result = try XCTUnwrap((hypothesis["results"] as? [String: Any])?["add_ten"] as? [String: Any])
        XCTAssertEqual(result["significant"] as? Bool, true)
        XCTAssertEqual(try XCTUnwrap(result["difference"] as? Double), 30, accuracy: 3)
        XCTAssertEqual((hypothesis["ranking"] as? [String: Any])?["best"] as? String, "add_ten")

        for execution in ["backwards", "async"] {
            let r = Harness.run(plugin + ["run", "experiments/sdk", "--execution", execution, "--workers", "8", "--data-dir", execution], in: dir)
            XCTAssertEqual(r.status, 0, r.output)
            for c in ["baseline", "add_ten"] {
                XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/\(execution)/sdk/v0/\(c)/results.json"),
                               FileManager.default.contents(atPath: "\(dir)/ref/sdk/v0/\(c)/results.json"), "\(execution) \(c)")
            }
        }
    }
}
