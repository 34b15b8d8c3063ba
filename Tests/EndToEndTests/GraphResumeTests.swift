import Foundation
import XCTest

/// Resume across a graph: an upstream that is complete, unchanged and still has the artifacts
/// its consumers read is loaded; when it runs again, for any of the re-run rules, every
/// consumer of it runs again too.
final class GraphResumeTests: XCTestCase {
    typealias Outcome = (names: [String], results: [String: [String: Any]], run: HostRun)

    func loaded(_ o: Outcome, _ name: String) -> Bool? { o.results[name]?["loaded_from_disk"] as? Bool }
    func reason(_ o: Outcome, _ name: String) -> String { o.results[name]?["rerun_reason"] as? String ?? "" }

    /// After `change`, the producer re-runs for `producerReason` and the consumer re-runs because of it.
    func assertBothRerun(_ g: GraphFixture, because producerReason: String, file: StaticString = #filePath, line: UInt = #line,
                         after change: () -> Void) {
        _ = g.resume(file: file, line: line)
        change()
        let o = g.resume(file: file, line: line)
        XCTAssertEqual(o.names, ["producer", "consumer"], file: file, line: line)
        XCTAssertEqual(loaded(o, "producer"), false, o.run.output, file: file, line: line)
        XCTAssertTrue(reason(o, "producer").contains(producerReason), "producer: \(reason(o, "producer"))", file: file, line: line)
        XCTAssertEqual(loaded(o, "consumer"), false, file: file, line: line)
        XCTAssertTrue(reason(o, "consumer").contains("upstream experiment 'producer'"), "consumer: \(reason(o, "consumer"))", file: file, line: line)
        let again = g.resume(file: file, line: line)
        XCTAssertEqual([loaded(again, "producer"), loaded(again, "consumer")], [true, true], "settled again", file: file, line: line)
    }

    func testSecondResumeSkipsTheWholeGraph() throws {
        let g = GraphFixture("gresume-skip")
        let first = g.resume()
        XCTAssertEqual([loaded(first, "producer"), loaded(first, "consumer")], [false, false])
        let before = Harness.read("\(g.version("consumer"))/metadata.json")
        let second = g.resume()
        XCTAssertEqual(second.names, ["producer", "consumer"])
        XCTAssertEqual([loaded(second, "producer"), loaded(second, "consumer")], [true, true], second.run.output)
        XCTAssertEqual(second.results["consumer"]?["executed_conditions"] as? Int, 0)
        XCTAssertEqual(Harness.read("\(g.version("consumer"))/metadata.json"), before, "a skipped run writes nothing")
        XCTAssertFalse(second.run.stderr.contains("falling back"), "no artifact is read when the consumer is skipped")
    }

    func testChangedProducerSignatureRerunsProducerAndConsumer() throws {
        let g = GraphFixture("gresume-signature")
        _ = g.run()
        let totalBefore = g.metric("consumer", "baseline", "upstream_total")
        assertBothRerun(g, because: "pipeline signature") {
            g.edit("producer", "  - add_delta\n", "  - add_delta: {delta: 1.0}\n")
        }
        let totalAfter = g.metric("consumer", "baseline", "upstream_total")
        XCTAssertEqual(totalAfter.count, 6)
        for i in 0..<6 { XCTAssertEqual(totalAfter[i], totalBefore[i] + 3, accuracy: 1e-9, "the consumer read the new artifacts") }
    }

    func testChangedConsumerOnlyRerunsTheConsumer() throws {
        let g = GraphFixture("gresume-consumer")
        _ = g.resume()
        g.edit("consumer", "  - scale\n", "  - scale: {factor: 5.0}\n")
        let o = g.resume()
        XCTAssertEqual(loaded(o, "producer"), true)
        XCTAssertEqual(loaded(o, "consumer"), false)
        XCTAssertTrue(reason(o, "consumer").contains("pipeline signature"), reason(o, "consumer"))
    }

    func testChangedTreatmentsRerun() throws {
        let g = GraphFixture("gresume-treatments")
        assertBothRerun(g, because: "treatments differ") { g.edit("producer", "delta: 10", "delta: 11") }
        g.edit("consumer", "factor: 4.0", "factor: 8.0")
        let o = g.resume()
        XCTAssertEqual(loaded(o, "producer"), true, "the consumer's own treatments do not touch the producer")
        XCTAssertTrue(reason(o, "consumer").contains("treatments differ"), reason(o, "consumer"))
    }

    func testMissingProducerMetadataOrMarkerReruns() throws {
        let g = GraphFixture("gresume-marker")
        assertBothRerun(g, because: "metadata.json is missing") { g.remove("\(g.version("producer"))/metadata.json") }
        assertBothRerun(g, because: "completion marker is missing") {
            g.remove("\(g.version("producer"))/add_ten/.crystallize_complete")
            g.remove("\(g.version("producer"))/replicates.journal")
        }
        g.remove("\(g.version("consumer"))/double/.crystallize_complete")
        g.remove("\(g.version("consumer"))/replicates.journal")
        let o = g.resume()
        XCTAssertEqual(loaded(o, "producer"), true)
        XCTAssertTrue(reason(o, "consumer").contains("completion marker"), reason(o, "consumer"))
    }

    func testDeletedArtifactRerunsProducerAndConsumer() throws {
        let g = GraphFixture("gresume-artifact")
        let file = "\(g.version("producer"))/replicate_1/add_ten/save_summary/summary.json"
        assertBothRerun(g, because: "1 of 6 artifact file(s) of output 'summary' (summary.json) are missing") { g.remove(file) }
        XCTAssertTrue(g.exists(file), "published again")
    }

    func testProducerRunOnItsOwnMakesTheConsumerRerun() throws {
        let g = GraphFixture("gresume-between")
        _ = g.resume()
        _ = g.run("producer")
        let o = g.resume()
        XCTAssertEqual(loaded(o, "producer"), true, "complete and unchanged")
        XCTAssertEqual(loaded(o, "consumer"), false, "but it published new artifacts since the consumer read them")
        XCTAssertTrue(reason(o, "consumer").contains("upstream experiment 'producer' re-ran"), reason(o, "consumer"))
    }
}
