import Foundation
import XCTest

/// Same seed, same bytes; another seed, other numbers. The noise comes from the host's
/// generator through the ABI (MySteps' `numbers` draws ctx.normal), one stream per
/// (replicate seed, step), shared by the conditions of a replicate.
final class DeterminismTests: XCTestCase {
    static let config = """
    name: noisy
    replicates: 6
    seed: 42
    data_hashes: true
    datasource: numbers
    steps:
      - add_delta
      - record_metric
    treatments:
      add_ten: {delta: 10}
    """

    func results(_ fx: ExperimentFixture, _ data: String) -> [String: Data] {
        var out: [String: Data] = [:]
        for c in ["baseline", "add_ten"] { out[c] = FileManager.default.contents(atPath: "\(fx.dir)/\(data)/noisy/v0/\(c)/results.json") }
        return out
    }

    func testSameSeedGivesIdenticalResultsAndAnotherSeedDoesNot() throws {
        let fx = ExperimentFixture("determinism")
        let exp = fx.experiment("noisy", Self.config)
        XCTAssertEqual(fx.run(exp, ["--data-dir", "one", "--no-cache"]).status, 0)
        XCTAssertEqual(fx.run(exp, ["--data-dir", "two", "--no-cache"]).status, 0)
        // A second folder with its own cache: nothing is shared between these runs.
        let other = ExperimentFixture("determinism-other")
        other.experiment("noisy", Self.config)
        XCTAssertEqual(other.run("experiments/noisy", ["--data-dir", "three"]).status, 0)
        XCTAssertEqual(fx.run(exp, ["--data-dir", "reseeded", "--seed", "43", "--no-cache"]).status, 0)

        let one = results(fx, "one")
        XCTAssertEqual(one.count, 2)
        XCTAssertEqual(one, results(fx, "two"), "same seed, same bytes")
        XCTAssertEqual(one, results(other, "three"), "same seed, same bytes, in another folder with a cold cache")
        XCTAssertNotEqual(one["baseline"], results(fx, "reseeded")["baseline"], "another seed, other numbers")

        let base = try XCTUnwrap(Harness.json("\(fx.dir)/one/noisy/v0/baseline/results.json") as? [String: Any])
        let treat = try XCTUnwrap(Harness.json("\(fx.dir)/one/noisy/v0/add_ten/results.json") as? [String: Any])
        let b = try XCTUnwrap((base["metrics"] as? [String: [Double]])?["total"])
        let t = try XCTUnwrap((treat["metrics"] as? [String: [Double]])?["total"])
        XCTAssertEqual(b.count, 6)
        XCTAssertEqual(Set(b).count, 6, "each replicate draws its own noise")
        // Common random numbers (the default): both conditions of a replicate draw the same
        // noise, so the treatment is the baseline plus exactly 30 (RandomStreamTests covers
        // the `independent` rule, where it is not).
        for (x, y) in zip(b, t) { XCTAssertEqual(y - x, 30, accuracy: 1e-9, "conditions of a replicate share their noise") }
        // Without noise the total is 1+2+3: the noise really is there.
        XCTAssertFalse(b.allSatisfy { abs($0 - 6) < 1e-12 })
    }

    func testAReplicateDrawsTheSameStreamWhateverElseRuns() throws {
        // Replicate 3's numbers do not depend on how many replicates run or which treatments do.
        let fx = ExperimentFixture("determinism-stream")
        let exp = fx.experiment("noisy", Self.config)
        XCTAssertEqual(fx.run(exp, ["--data-dir", "all", "--no-cache"]).status, 0)
        XCTAssertEqual(fx.run(exp, ["--data-dir", "few", "--no-cache", "--replicates", "4", "--treatment", "add_ten"]).status, 0)
        let all = try XCTUnwrap((Harness.json("\(fx.dir)/all/noisy/v0/baseline/results.json") as? [String: Any])?["metrics"] as? [String: [Double]])
        let few = try XCTUnwrap((Harness.json("\(fx.dir)/few/noisy/v0/baseline/results.json") as? [String: Any])?["metrics"] as? [String: [Double]])
        XCTAssertEqual(Array(all["total"]?.prefix(4) ?? []), few["total"])
        // Provenance hashes agree step by step too (same inputs, same outputs).
        let hashes = { (data: String) -> [String] in
            let prov = Harness.provenance("noisy", dataDir: data, in: fx.dir)
            let run = (prov?["runs"] as? [[String: Any]])?.first { $0["replicate"] as? Int == 3 && $0["condition"] as? String == "baseline" }
            return (run?["steps"] as? [[String: Any]])?.compactMap { $0["output_hash"] as? String } ?? []
        }
        XCTAssertEqual(hashes("all").count, 3)
        XCTAssertEqual(hashes("all"), hashes("few"))
    }
}
