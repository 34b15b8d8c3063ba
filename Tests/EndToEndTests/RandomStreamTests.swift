import Foundation
import XCTest

/// Common random numbers: every condition of a replicate draws the same numbers at the same
/// stage, so in the demo treatment − baseline is exactly the treatment's effect; the
/// `independent` rule keeps per-condition streams; the rule is recorded and resume never mixes
/// runs made under different rules.
final class RandomStreamTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = Harness.temporaryDirectory("streams") }

    func totals(_ experiment: String, _ condition: String) -> [Double] {
        let r = Harness.json("\(dir)/data/\(experiment)/v0/\(condition)/results.json") as? [String: Any]
        return (r?["metrics"] as? [String: Any])?["total"] as? [Double] ?? []
    }

    func testDemoTreatmentMinusBaselineIsThirtyInEveryReplicate() {
        let r = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", Harness.repoRoot.appendingPathComponent("experiments/demo").path], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let base = totals("demo", "baseline"), treat = totals("demo", "add_ten")
        XCTAssertEqual(base.count, 10)
        XCTAssertEqual(treat.count, 10)
        // Three numbers, each +10: the noise is the same in both conditions, so only 30 is left.
        for (i, (b, t)) in zip(base, treat).enumerated() { XCTAssertEqual(t - b, 30, accuracy: 1e-9, "replicate \(i)") }
        // And the noise is real: replicates differ from each other.
        XCTAssertGreaterThan(Set(base).count, 5)
        let meta = Harness.json("\(dir)/data/demo/v0/metadata.json") as? [String: Any]
        XCTAssertEqual(meta?["random_streams"] as? String, "common")
        let prov = Harness.json("\(dir)/data/demo/v0/provenance.json") as? [String: Any]
        XCTAssertEqual(prov?["random_streams"] as? String, "common")
    }

    /// The cache counts of `--json` output (a list with one run).
    func cacheCounts(_ stdout: String) -> [String: Any]? {
        let runs = (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [[String: Any]]
        return runs?.first?["cache"] as? [String: Any]
    }

    func config(_ name: String, streams: String?) -> String {
        """
        name: \(name)
        replicates: 6
        seed: 7
        \(streams.map { "random_streams: \($0)" } ?? "")
        datasource: numbers
        steps:
          - step: scale
            cache: true
          - add_delta
          - record_metric
        treatments:
          add_ten:
            delta: 10
          add_two:
            delta: 2
        """
    }

    func testIndependentStreamsDifferPerCondition() {
        Harness.write("\(dir)/experiments/ind/config.yaml", config("ind", streams: "independent"))
        let r = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", "experiments/ind", "--no-cache"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let diffs = zip(totals("ind", "baseline"), totals("ind", "add_ten")).map { $1 - $0 }
        XCTAssertEqual(diffs.count, 6)
        // scale doubles the numbers before add_delta: the effect is 30; independent noise moves it.
        XCTAssertFalse(diffs.allSatisfy { abs($0 - 30) < 1e-9 }, "independent streams gave identical noise: \(diffs)")
        let meta = Harness.json("\(dir)/data/ind/v0/metadata.json") as? [String: Any]
        XCTAssertEqual(meta?["random_streams"] as? String, "independent")
    }

    func testCacheableStepBeforeTheTreatmentsEffectHitsAcrossConditions() {
        Harness.write("\(dir)/experiments/crn/config.yaml", config("crn", streams: nil))
        let r = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", "experiments/crn", "--json"], in: dir,
                            environment: ["CRYSTALLIZE_CACHE_DIR": "\(dir)/cache"])
        XCTAssertEqual(r.status, 0, r.output)
        // Per replicate: scale misses in the baseline and hits in both treatments (same input,
        // same params); add_delta (cacheable too) differs by delta, so it misses everywhere.
        let cache = cacheCounts(r.stdout)
        XCTAssertEqual(cache?["hits"] as? Int, 12, r.output)
        XCTAssertEqual(cache?["misses"] as? Int, 6 + 18, r.output)
        let runs = Harness.provenance("crn", in: dir)?["runs"] as? [[String: Any]] ?? []
        var hitsByCondition: [String: Int] = [:]
        for run in runs {
            for step in run["steps"] as? [[String: Any]] ?? [] where step["step"] as? String == "scale" && (step["cache_hit"] as? Bool ?? (step["cache_hit"] as? Int == 1)) {
                hitsByCondition[run["condition"] as? String ?? "?", default: 0] += 1
            }
        }
        XCTAssertEqual(hitsByCondition, ["add_ten": 6, "add_two": 6])
        for (b, t) in zip(totals("crn", "baseline"), totals("crn", "add_two")) { XCTAssertEqual(t - b, 6, accuracy: 1e-9) }

        // Under independent streams the datasource's numbers differ per condition: no hits.
        Harness.write("\(dir)/experiments/ind/config.yaml", config("ind", streams: "independent"))
        let i = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", "experiments/ind", "--json"], in: dir,
                            environment: ["CRYSTALLIZE_CACHE_DIR": "\(dir)/cache-ind"])
        XCTAssertEqual(i.status, 0, i.output)
        XCTAssertEqual(cacheCounts(i.stdout)?["hits"] as? Int, 0, i.output)
    }

    func testACachedStepThatDrawsIsCachedPerStream() throws {
        // The datasource draws noise and is cached: its input (none) and params are the same in
        // every replicate, so only its random stream tells replicates apart.
        let config = """
        name: drawn
        replicates: 4
        datasource: {datasource: numbers, cache: true}
        steps: [add_delta, record_metric]
        treatments:
          add_ten: {delta: 10}
        """
        Harness.write("\(dir)/experiments/drawn/config.yaml", config)
        let env = ["CRYSTALLIZE_CACHE_DIR": "\(dir)/cache"]
        let first = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", "experiments/drawn", "--json"], in: dir, environment: env)
        XCTAssertEqual(first.status, 0, first.output)
        let base = totals("drawn", "baseline"), treat = totals("drawn", "add_ten")
        XCTAssertEqual(Set(base).count, 4, "replicates reused one replicate's cached noise: \(base)")
        for (b, t) in zip(base, treat) { XCTAssertEqual(t - b, 30, accuracy: 1e-9) }
        // The treatment's datasource hits the baseline's entry of the same replicate (same stream).
        XCTAssertEqual(cacheCounts(first.stdout)?["hits"] as? Int, 4, first.output)
        let again = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", "experiments/drawn", "--json"], in: dir, environment: env)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(cacheCounts(again.stdout)?["hits"] as? Int, 16, again.output)
        XCTAssertEqual(totals("drawn", "baseline"), base, "a warm cache gives the same numbers")
    }

    func testResumeNeverMixesRandomStreamRules() {
        Harness.write("\(dir)/experiments/mix/config.yaml", config("mix", streams: "independent"))
        XCTAssertEqual(Harness.run(["--plugin", Harness.plugin("MySteps"), "run", "experiments/mix", "--no-cache"], in: dir).status, 0)
        Harness.write("\(dir)/experiments/mix/config.yaml", config("mix", streams: nil))
        let r = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", "experiments/mix", "--no-cache", "--strategy", "resume"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("the random-stream rule changed (stored run: independent; now: common)"), r.output)
        let meta = Harness.json("\(dir)/data/mix/v0/metadata.json") as? [String: Any]
        XCTAssertEqual(meta?["random_streams"] as? String, "common")
        // Same rule again: resume loads the stored run.
        let again = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", "experiments/mix", "--no-cache", "--strategy", "resume"], in: dir)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertFalse(again.output.contains("random-stream rule changed"), again.output)
    }

    func testBadRandomStreamsValueNamesFileAndLine() {
        Harness.write("\(dir)/experiments/bad/config.yaml", "name: bad\ndatasource: numbers\nsteps: [record_metric]\nrandom_streams: shared\n")
        let r = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", "experiments/bad"], in: dir)
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("config.yaml:4"), r.output)
        XCTAssertTrue(r.stderr.contains("random_streams must be one of common, independent, got 'shared'"), r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/data/bad"))
    }
}
