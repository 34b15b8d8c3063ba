import Foundation
import XCTest

/// Versioned runs with artifact retention, as crystallize-ml's ArtifactPlugin prunes them:
/// the newest N versions kept (older kept ones lose their large files), the rest reduced to
/// their results.
final class RetentionTests: XCTestCase {
    /// Every file under `dir`, relative, hidden ones included.
    func files(_ dir: String) -> Set<String> {
        var out = Set<String>()
        let e = FileManager.default.enumerator(atPath: dir)
        while let rel = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(dir)/\(rel)", isDirectory: &isDir), !isDir.boolValue { out.insert(rel) }
        }
        return out
    }

    func keptExperiment(_ g: GraphFixture, retention: String) {
        g.write("kept", """
        name: kept
        replicates: 2
        versioned: true
        \(retention)
        datasource: {numbers: {count: 100}}
        steps: [save_numbers, c_add]
        treatments:
          more: {amount: 5.0}
        """)
    }

    func testKeepsNVersionsDropsLargeFilesOfOlderKeptOnesAndReducesTheRest() throws {
        let g = GraphFixture("retention")
        keptExperiment(g, retention: "artifact_retention: 2\nbig_file_threshold_mb: 0.001")
        for _ in 0..<4 { _ = g.run("kept") }
        let big = "replicate_1/more/save_numbers/numbers.txt", small = "replicate_1/more/c_add/sum.txt"
        let newest = files(g.version("kept", 3))
        XCTAssertTrue(newest.isSuperset(of: [big, small, "provenance.json", "metadata.json", "_manifest.json", "more/.crystallize_complete"]), "\(newest)")
        let size = (try FileManager.default.attributesOfItem(atPath: "\(g.version("kept", 3))/\(big)")[.size] as? NSNumber)?.intValue ?? 0
        XCTAssertGreaterThan(size, 1048, "the test's large file is above the threshold")

        let olderKept = files(g.version("kept", 2))
        XCTAssertFalse(olderKept.contains(big), "large artifact removed from the older kept version")
        XCTAssertTrue(olderKept.isSuperset(of: [small, "metadata.json", "_manifest.json", "baseline/results.json", "more/results.json",
                                                "baseline/.crystallize_complete", "more/.crystallize_complete"]), "\(olderKept)")

        for v in [0, 1] {
            XCTAssertEqual(files(g.version("kept", v)), ["metadata.json", "baseline/results.json", "more/results.json"], "v\(v)")
            XCTAssertEqual(g.object("\(g.version("kept", v))/metadata.json")["status"] as? String, "pruned")
            XCTAssertEqual(g.metric("kept", "more", "c_sum", v: v).count, 2, "v\(v) keeps its metrics")
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(g.version("kept", v))/replicate_0"), "empty folders removed")
        }
    }

    func testEnvironmentSetsRetentionWhenConfigDoesNot() throws {
        let g = GraphFixture("retention-env")
        keptExperiment(g, retention: "")
        let env = ["CRYSTALLIZE_ARTIFACT_RETENTION": "1", "CRYSTALLIZE_BIG_FILE_THRESHOLD_MB": "0"]
        for _ in 0..<2 { XCTAssertEqual(Harness.run(g.plugins + ["run", "experiments/kept", "--quiet"], in: g.dir, environment: env).status, 0) }
        XCTAssertEqual(files(g.version("kept", 0)), ["metadata.json", "baseline/results.json", "more/results.json"])
        XCTAssertTrue(files(g.version("kept", 1)).contains("replicate_0/baseline/save_numbers/numbers.txt"), "the current version is never pruned")
        let bad = Harness.run(g.plugins + ["run", "experiments/kept"], in: g.dir, environment: ["CRYSTALLIZE_BIG_FILE_THRESHOLD_MB": "big"])
        XCTAssertEqual(bad.status, 2, bad.output)
        XCTAssertTrue(bad.stderr.contains("CRYSTALLIZE_BIG_FILE_THRESHOLD_MB: must be a number of megabytes"), bad.output)
    }

    func testBadThresholdIsAClearConfigError() throws {
        let g = GraphFixture("retention-bad")
        keptExperiment(g, retention: "big_file_threshold_mb: lots")
        let r = g.host(["run", "experiments/kept"])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("\(g.config("kept")):4: big_file_threshold_mb: big_file_threshold_mb must be a number of megabytes"), r.output)
    }

    func testConsumerReadsTheNewestVersionOfAVersionedProducer() throws {
        let g = GraphFixture("retention-graph")
        g.edit("producer", "replicates: 3\n", "replicates: 3\nversioned: true\nartifact_retention: 2\n")
        for _ in 0..<3 { _ = g.run() }
        let upstream = (g.object("\(g.version("consumer"))/metadata.json")["upstream"] as? [String: Any])?["producer"] as? [String: Any]
        XCTAssertEqual(upstream?["version"] as? Int, 2)
        XCTAssertEqual(g.object("\(g.version("producer", 0))/metadata.json")["status"] as? String, "pruned")
        let o = g.resume()
        XCTAssertEqual(o.results["producer"]?["version"] as? Int, 2)
        XCTAssertEqual(o.results["consumer"]?["loaded_from_disk"] as? Bool, true, o.run.output)
    }
}
