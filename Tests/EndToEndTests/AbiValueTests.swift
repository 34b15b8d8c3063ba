import Foundation
import XCTest

/// Values through the ABI: a C plugin builds every kind of value with the host's makers, and
/// reads it back with the host's readers — within the call, as the next step's input, and
/// from the context. Context keys are add-only.
final class AbiValueTests: XCTestCase {
    var dir = ""
    var vals = ""

    override func setUp() {
        dir = Harness.temporaryDirectory("values")
        vals = Harness.compileC(AbiFixtures.vals, name: "Vals", in: dir)
    }

    func artifact(_ exp: String, _ step: String, _ name: String, condition: String = "baseline", replicate: Int = 0) -> String {
        Harness.read("\(dir)/data/\(exp)/v0/replicate_\(replicate)/\(condition)/\(step)/\(name)")
    }

    /// The value `v_build` makes, as `v_dump` prints it: map keys in insertion order ("z" was
    /// replaced in place, so it stays first), UTF-8 text with its byte count, bytes with NULs.
    let built = #"{z:7,a:2.5,m:true,s:"héllo"(6,6),b:b[000102ff0007],l:[-1,"two"(3,3),null,[3],{k:"v"(1,1)}],arr:f[1,2,3],n:null}"#

    func testEveryKindOfValueSurvivesTheCallTheStepBoundaryAndTheContext() {
        Harness.write("\(dir)/experiments/vals/config.yaml", """
        name: vals
        replicates: 2
        datasource: v_build
        steps: [v_dump, v_stable]
        """)
        let r = Harness.run(["--plugin", vals, "run", "experiments/vals", "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(artifact("vals", "v_build", "built.txt"), built, "read back inside the call that built it")
        XCTAssertEqual(artifact("vals", "v_dump", "data.txt"), built, "read back as the next step's input")
        XCTAssertEqual(artifact("vals", "v_dump", "ctx.txt"), built, "read back from the context")
        XCTAssertEqual(artifact("vals", "v_dump", "data.txt", replicate: 1), built)
        let results = Harness.json("\(dir)/data/vals/v0/baseline/results.json") as? [String: Any]
        let metrics = results?["metrics"] as? [String: Any]
        // Borrowed values stay valid while more values are read and made in the same call.
        XCTAssertEqual(metrics?["stable_replicate"] as? [Double], [0, 1])
        XCTAssertEqual(metrics?["stable_x"] as? [Double], [41, 41])
    }

    func testAddingAnExistingContextKeyFailsNamingKeyAndStep() throws {
        Harness.write("\(dir)/experiments/dup/config.yaml", """
        name: dup
        replicates: 2
        datasource: v_build
        steps:
          - v_dump
          - v_dup                 # key: "replicate" by default, or the treatment's
        treatments:
          again: {key: built}     # a key v_build added earlier in the pipeline
        """)
        let r = Harness.run(["--plugin", vals, "run", "experiments/dup", "--json"], in: dir)
        XCTAssertEqual(r.status, 1, r.output)
        let json = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.last)
        let failures = try XCTUnwrap(json["failures"] as? [[String: Any]])
        XCTAssertEqual(failures.count, 4, r.output)
        for f in failures {
            XCTAssertEqual(f["step"] as? String, "v_dup")
            let key = f["condition"] as? String == "again" ? "built" : "replicate"
            XCTAssertEqual(f["message"] as? String, "step 'v_dup' tried to overwrite context key '\(key)' (context keys are add-only)")
        }
        // The steps before the failure ran and kept their artifacts.
        XCTAssertEqual(artifact("dup", "v_dump", "ctx.txt", condition: "again"), built)
        let human = Harness.run(["--plugin", vals, "run", "experiments/dup"], in: dir)
        XCTAssertTrue(human.stdout.contains("step v_dup: step 'v_dup' tried to overwrite context key 'replicate'"), human.output)
    }

    func testMetricsAcceptNumbersAndBoolsWithTagsAndRefuseOtherTypes() throws {
        Harness.write("\(dir)/experiments/metrics/config.yaml", """
        name: metrics
        datasource: v_build
        steps: [v_metrics]
        treatments:
          bad: {bad: true}
        """)
        let r = Harness.run(["--plugin", vals, "run", "experiments/metrics", "--json"], in: dir)
        XCTAssertEqual(r.status, 1, r.output)
        let results = Harness.json("\(dir)/data/metrics/v0/baseline/results.json") as? [String: Any]
        let metrics = try XCTUnwrap(results?["metrics"] as? [String: Any])
        XCTAssertEqual(metrics["count"] as? [Double], [3])
        XCTAssertEqual(metrics["flag"] as? [Bool], [true])
        let runs = Harness.provenance("metrics", in: dir)?["runs"] as? [[String: Any]] ?? []
        XCTAssertTrue(runs.contains { (($0["metric_tags"] as? [String: [String]]) ?? [:]).values.contains { $0.contains("t2") } }, "metric tags are kept")
        let json = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.last)
        let failures = try XCTUnwrap(json["failures"] as? [[String: Any]])
        XCTAssertEqual(failures.count, 1, r.output)
        XCTAssertEqual(failures.first?["condition"] as? String, "bad")
        XCTAssertEqual(failures.first?["message"] as? String,
                       "step 'v_metrics' recorded metric 'label' as string; metric values must be i64, f64 or bool")
    }

    func testInPlaceFillsReachLaterSteps() {
        // c_add fills the datasource's array in place, c_scale (libffi) scales the same storage,
        // and MySteps' record_metric (Swift SDK) reads it: 0..3 +1 = 10, ×2 = 20.
        Harness.write("\(dir)/experiments/inplace/config.yaml", """
        name: inplace
        datasource: {c_range: {n: 4}}
        steps: [c_add, c_scale, record_metric]
        """)
        let r = Harness.run(["--plugin", Harness.plugin("CTestPlugin"), "--plugin", Harness.plugin("MySteps"),
                             "run", "experiments/inplace", "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let results = Harness.json("\(dir)/data/inplace/v0/baseline/results.json") as? [String: Any]
        XCTAssertEqual((results?["metrics"] as? [String: Any])?["c_sum"] as? [Double], [10])
        XCTAssertEqual((results?["metrics"] as? [String: Any])?["total"] as? [Double], [20])
        XCTAssertEqual(artifact("inplace", "c_add", "sum.txt"), "10.000000")
    }
}
