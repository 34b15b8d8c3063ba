import Foundation
import XCTest

/// The Swift SDK registers every kind of export with closures (MySteps uses each one; the
/// codec, setup, teardown, init and shutdown are in SwiftSDKLifecycleTests).
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
            verifier: z_test
            metrics: total
        """)
        let plugin = ["--plugin", Harness.plugin("MySteps")]
        let reference = Harness.run(plugin + ["run", "experiments/sdk", "--data-dir", "ref", "--json"], in: dir)
        XCTAssertEqual(reference.status, 0, reference.output)
        XCTAssertTrue(reference.stderr.contains("MySteps: starting sdk") && reference.stderr.contains("MySteps: finished sdk"), reference.output)
        let json = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(reference.stdout.utf8)) as? [[String: Any]])?.last)
        let hypothesis = try XCTUnwrap((json["hypotheses"] as? [[String: Any]])?.first)
        let result = try XCTUnwrap((hypothesis["results"] as? [String: Any])?["add_ten"] as? [String: Any])
        XCTAssertEqual(result["significant"] as? Bool, true)
        XCTAssertLessThan(try XCTUnwrap(result["p_value"] as? Double), 1e-6, "8 pairs 30 apart with noise sd ~1.7: z is large")
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

/// Typed, throwing parameter access: a parameter read as the wrong type, or one that is not
/// there, fails the step with a message naming it instead of crashing or reading NaN.
final class SwiftSDKParameterTests: XCTestCase {
    func testTypedParameterAccessNamesTheParameterOnAMismatch() {
        let dir = Harness.temporaryDirectory("sdkparams")
        func run(_ read: String, _ type: String) -> HostRun {
            Harness.write("\(dir)/experiments/\(read)_\(type)/config.yaml", """
            name: \(read)_\(type)
            datasource: numbers
            steps:
              - step: read_param
                params: {read: \(read), as: \(type)}
            """)
            return Harness.run(["--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("SDKTestPlugin"),
                                "run", "experiments/\(read)_\(type)", "--quiet"], in: dir)
        }
        for (read, type) in [("count", "i64"), ("count", "f64"), ("label", "string")] {
            let r = run(read, type)
            XCTAssertEqual(r.status, 0, "\(read) as \(type): \(r.output)")
        }
        let wrong = run("label", "i64")
        XCTAssertEqual(wrong.status, 1, wrong.output)
        XCTAssertTrue(wrong.output.contains("parameter 'label' must be an integer, got string"), wrong.output)
        let missing = run("nope", "f64")
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertTrue(missing.output.contains("parameter 'nope' is not set"), missing.output)
    }
}
