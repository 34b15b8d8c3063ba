import Foundation
import XCTest

/// The content-addressed step cache: reuse, keys, corruption, concurrency, switches.
final class CacheTests: XCTestCase {
    var dir = ""
    var plugins: [String] { ["--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("CTestPlugin")] }

    override func setUp() {
        dir = Harness.temporaryDirectory("cache")
        Harness.write("\(dir)/experiments/cached/config.yaml", """
        name: cached
        replicates: 6
        seed: 7
        datasource: numbers
        steps:
          - add_delta
          - c_add
          - step: c_scale
            params: {factor: 3.0}
            cache: true
          - record_metric
        treatments:
          more: {delta: 5.0}
        """)
    }

    func runCached(_ extra: [String] = [], env: [String: String] = [:]) throws -> (HostRun, [String: Any]) {
        let r = Harness.run(plugins + ["run", "experiments/cached", "--json"] + extra, in: dir, environment: env)
        let json = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.last ?? [:]
        return (r, json)
    }

    func cacheCounts(_ json: [String: Any]) -> (Int, Int) {
        let c = json["cache"] as? [String: Any]
        return (c?["hits"] as? Int ?? -1, c?["misses"] as? Int ?? -1)
    }

    func testSecondRunReusesEveryCacheableStepAndGivesSameResults() throws {
        let (first, j1) = try runCached()
        XCTAssertEqual(first.status, 0, first.output)
        // add_delta, c_add and c_scale (cache: true) are cacheable: 3 steps x 6 replicates x 2 conditions;
        // the datasource draws per-replicate noise, so every input differs.
        XCTAssertEqual(cacheCounts(j1).0, 0)
        XCTAssertEqual(cacheCounts(j1).1, 36)
        let before = FileManager.default.contents(atPath: "\(dir)/data/cached/v0/more/results.json")
        let (second, j2) = try runCached()
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertEqual(cacheCounts(j2).0, 36)
        XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/data/cached/v0/more/results.json"), before)
        // A cache hit replays metrics, context writes and artifacts.
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/data/cached/v0/replicate_0/more/c_add/sum.txt"))
        let human = Harness.run(plugins + ["run", "experiments/cached"], in: dir)
        XCTAssertTrue(human.stdout.contains("cache hit rate: 100.0%"), human.output)
    }

    func testKeyCoversParametersFromTheContext() throws {
        _ = try runCached()
        // Without noise both conditions feed add_delta the same input, and the treatment's
        // delta reaches it through the context: only a key that covers context-filled
        // parameters keeps their entries apart.
        let cfg = "\(dir)/experiments/cached/config.yaml"
        Harness.write(cfg, Harness.read(cfg).replacingOccurrences(of: "datasource: numbers", with: "datasource: {numbers: {noise: 0.0}}"))
        _ = try runCached()
        let base = Harness.json("\(dir)/data/cached/v0/baseline/results.json") as? [String: Any]
        let more = Harness.json("\(dir)/data/cached/v0/more/results.json") as? [String: Any]
        let b = try XCTUnwrap((base?["metrics"] as? [String: Any])?["total"] as? [Double])
        let m = try XCTUnwrap((more?["metrics"] as? [String: Any])?["total"] as? [Double])
        for (x, y) in zip(b, m) { XCTAssertEqual(y - x, 3 * 3 * 5.0, accuracy: 1e-9) }
        // Changing an explicit parameter misses.
        Harness.write(cfg, Harness.read(cfg).replacingOccurrences(of: "factor: 3.0", with: "factor: 4.0"))
        let (_, j) = try runCached()
        // Every replicate now has the same input, so c_scale misses once per condition and
        // add_delta and c_add always hit.
        XCTAssertEqual(cacheCounts(j).1, 2, "only c_scale with its new factor misses, once per condition")
        XCTAssertEqual(cacheCounts(j).0, 34)
    }

    func testCorruptedEntryIsReportedAndRecomputed() throws {
        _ = try runCached()
        let cacheDir = "\(dir)/.cache"
        let files = FileManager.default.enumerator(atPath: cacheDir)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
        XCTAssertEqual(files.count, 36)
        // Truncate one entry and flip bytes in another.
        let a = "\(cacheDir)/\(files[0])", b = "\(cacheDir)/\(files[1])"
        let data = FileManager.default.contents(atPath: a)!
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: a))
        var bytes = [UInt8](FileManager.default.contents(atPath: b)!)
        bytes[bytes.count - 3] ^= 0x55
        try Data(bytes).write(to: URL(fileURLWithPath: b))
        let (r, j) = try runCached()
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("is corrupted"), r.output)
        XCTAssertEqual(cacheCounts(j).1, 2, "the two damaged entries are recomputed")
        let (_, again) = try runCached()
        XCTAssertEqual(cacheCounts(again).0, 36, "and rewritten intact")
    }

    func testConcurrentWritersNeverCorruptEntries() throws {
        let (r1, _) = try runCached(["--execution", "processes", "--workers", "3", "--replicates", "30"])
        XCTAssertEqual(r1.status, 0, r1.output)
        let (r2, j2) = try runCached(["--execution", "threads", "--workers", "4", "--replicates", "30"])
        XCTAssertEqual(r2.status, 0, r2.output)
        XCTAssertFalse(r2.stderr.contains("corrupted"), r2.output)
        XCTAssertEqual(cacheCounts(j2).0, 30 * 2 * 3)
    }

    func testSwitchesTurnTheCacheOff() throws {
        _ = try runCached()
        let (_, noCache) = try runCached(["--no-cache"])
        XCTAssertEqual(cacheCounts(noCache).0, 0)
        XCTAssertEqual(cacheCounts(noCache).1, 0)
        let cfg = "\(dir)/experiments/cached/config.yaml"
        Harness.write(cfg, Harness.read(cfg).replacingOccurrences(of: "cache: true", with: "cache: false"))
        let (_, perStep) = try runCached()
        XCTAssertEqual(cacheCounts(perStep).0, 24, "c_scale is no longer cached")
        let moved = dir + "/elsewhere"
        _ = try runCached(env: ["CRYSTALLIZE_CACHE_DIR": moved])
        XCTAssertTrue(FileManager.default.fileExists(atPath: moved), "CRYSTALLIZE_CACHE_DIR moves the cache")
    }
}
