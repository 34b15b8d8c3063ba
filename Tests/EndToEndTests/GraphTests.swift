import Foundation
import XCTest

/// DAGs of experiments: the example producer/consumer graph runs in order, mixed replicates,
/// inherited treatments, artifact fallback, plugin codecs, and clear errors for bad graphs.
final class GraphTests: XCTestCase {
    func testFirstRunRunsProducerThenConsumerAndMixesReplicates() throws {
        let g = GraphFixture("graph-run")
        let (names, results, run) = g.run()
        XCTAssertEqual(names, ["producer", "consumer"], "producers run first")
        XCTAssertEqual(results["producer"]?["loaded_from_disk"] as? Bool, false)
        XCTAssertEqual(results["consumer"]?["replicates"] as? Int, 6)
        XCTAssertEqual(results["consumer"]?["conditions"] as? [String], ["baseline", "add_ten", "double"], "inherited first, then own")
        let producerMeta = g.object("\(g.version("producer"))/metadata.json")
        XCTAssertEqual(producerMeta["replicates"] as? Int, 3, "metadata records the producer's replicate count")
        let upstream = (g.object("\(g.version("consumer"))/metadata.json")["upstream"] as? [String: Any])?["producer"] as? [String: Any]
        XCTAssertEqual(upstream?["run_id"] as? String, producerMeta["run_id"] as? String, "the consumer read the run that just finished")
        XCTAssertTrue(g.exists("\(g.version("producer"))/replicate_2/add_ten/save_summary/summary.json"), run.output)

        // Consumer replicate i reads producer replicate i mod 3, for its own and inherited conditions.
        XCTAssertEqual(g.metric("consumer", "baseline", "upstream_replicate"), [0, 1, 2, 0, 1, 2])
        for (consumerCondition, producerCondition) in [("baseline", "baseline"), ("add_ten", "add_ten"), ("double", "baseline")] {
            let produced = g.metric("producer", producerCondition, "total")
            let read = g.metric("consumer", consumerCondition, "upstream_total")
            XCTAssertEqual(produced.count, 3)
            XCTAssertEqual(read.count, 6, consumerCondition)
            for i in 0..<read.count { XCTAssertEqual(read[i], produced[i % 3], accuracy: 1e-9, "\(consumerCondition) replicate \(i)") }
        }
        XCTAssertNotEqual(g.metric("consumer", "add_ten", "upstream_total"), g.metric("consumer", "baseline", "upstream_total"),
                          "the inherited treatment reads the producer's add_ten folder, not the baseline's")
    }

    func testMissingTreatmentArtifactFallsBackToBaselineWithWarning() throws {
        let g = GraphFixture("graph-fallback")
        let (_, _, run) = g.run()
        let expected = "\(g.version("producer"))/replicate_0/double/save_summary/summary.json"
        XCTAssertTrue(run.stderr.contains("for condition 'double' not found at \(expected); falling back to 'baseline'"), run.output)
        XCTAssertEqual(run.stderr.components(separatedBy: "falling back").count - 1, 1, "warned once, not per replicate")
    }

    func testArtifactMissingAltogetherIsAClearErrorNamingThePath() throws {
        let g = GraphFixture("graph-missing-artifact")
        g.edit("producer", "  - save_summary: {output: summary}\n", "")
        let r = g.host(["run", "experiments/consumer"])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.output.contains("artifact 'producer#summary' not found: \(g.version("producer"))/replicate_0/baseline/"), r.output)
        XCTAssertTrue(r.stderr.contains("\(g.config("producer")): outputs.summary: no step wrote output 'summary'"), r.output)
    }

    func testGraphCommandPrintsDependenciesAndExecutionOrder() throws {
        let g = GraphFixture("graph-describe")
        let r = g.host(["graph", "experiments/consumer"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("producer -> consumer (up <- producer#summary)"), r.output)
        XCTAssertTrue(r.stdout.contains("Execution order: producer -> consumer"), r.output)
        XCTAssertTrue(r.stdout.contains("conditions: baseline, add_ten (inherited), double"), r.output)
        XCTAssertFalse(g.exists("\(g.dir)/data"), "graph only describes; it runs nothing")
    }

    func testCycleIsAClearError() throws {
        let g = GraphFixture("graph-cycle")
        g.edit("producer", "datasource: numbers", "datasource: {back: consumer#echo}")
        g.edit("consumer", "hypotheses:", "outputs:\n  echo: {file_name: echo.json, codec: json}\nhypotheses:")
        for command in ["graph", "run"] {
            let r = g.host([command, "experiments/consumer"])
            XCTAssertEqual(r.status, 2, r.output)
            XCTAssertTrue(r.stderr.contains("dependency cycle: consumer -> producer -> consumer"), r.output)
            XCTAssertTrue(r.stderr.contains("experiments/"), "names the config file: \(r.output)")
        }
    }

    func testMissingProducerOrOutputIsAClearError() throws {
        let g = GraphFixture("graph-missing")
        g.edit("consumer", "producer#summary", "nosuch#summary")
        var r = g.host(["run", "experiments/consumer"])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("\(g.config("consumer")): datasource.up: no experiment named 'nosuch'"), r.output)
        XCTAssertTrue(r.stderr.contains("known: consumer, producer"), r.output)

        g.edit("consumer", "nosuch#summary", "producer#summry")
        r = g.host(["run", "experiments/consumer"])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("datasource.up: experiment 'producer' (\(g.config("producer"))) declares no output 'summry'; its outputs: summary"), r.output)
        XCTAssertFalse(g.exists("\(g.dir)/data"), "nothing runs when the graph is invalid")
    }

    func testUpstreamFoundByFolderNameReadsItsNamedDataFolder() throws {
        let g = GraphFixture("graph-folder")
        try FileManager.default.moveItem(atPath: "\(g.dir)/experiments/producer", toPath: "\(g.dir)/experiments/made_here")
        g.edit("made_here", "name: producer", "name: maker")
        g.edit("consumer", "producer#summary", "made_here#summary")
        let (names, _, run) = g.run()
        XCTAssertEqual(names, ["maker", "consumer"], run.output)
        XCTAssertTrue(g.exists("\(g.version("maker"))/replicate_0/baseline/save_summary/summary.json"))
        XCTAssertEqual(g.metric("consumer", "baseline", "upstream_total").count, 6)
    }

    func testArtifactProducedByTwoExperimentsIsAnError() throws {
        let g = GraphFixture("graph-two-producers")
        g.write("producer_copy", Harness.read(g.config("producer")))
        let r = g.host(["run", "experiments/consumer"])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("artifacts of experiment 'producer' would be produced by two experiments"), r.output)
        XCTAssertTrue(r.stderr.contains(g.config("producer")) && r.stderr.contains(g.config("producer_copy")), r.output)
    }

    func testOutputDeclaredButUnreadIsAWarning() throws {
        let g = GraphFixture("graph-unused")
        g.edit("producer", "    codec: json\n", "    codec: json\n  extra: {file_name: extra.txt}\n")
        let (_, _, run) = g.run()
        XCTAssertTrue(run.stderr.contains("warning: \(g.config("producer")): outputs.extra: output 'producer#extra' is declared but no experiment in this graph reads it"), run.output)
        XCTAssertTrue(run.stderr.contains("no step wrote output 'extra' (extra.txt)"), run.output)
        XCTAssertTrue(g.host(["graph", "experiments/consumer"]).stdout.contains("outputs.extra"), "graph shows the warning too")
    }

    func testConflictingUpstreamReplicateCountsAreAnError() throws {
        let g = GraphFixture("graph-conflict")
        g.write("other", """
        name: other
        replicates: 5
        datasource: numbers
        steps: [{save_summary: {output: more}}]
        outputs:
          more: {file_name: more.json, codec: json}
        """)
        g.edit("consumer", "  up: producer#summary\n", "  up: producer#summary\n  more: other#more\n")
        let r = g.host(["run", "experiments/consumer"])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("conflicting replicates across upstream artifacts: producer=3 (\(g.config("producer"))), other=5 (\(g.config("other")))"), r.output)
        XCTAssertFalse(g.exists("\(g.dir)/data"), "refused before anything runs")
        g.edit("other", "replicates: 5", "replicates: 3")
        let (names, _, _) = g.run()
        XCTAssertEqual(Set(names), ["producer", "other", "consumer"])
        XCTAssertEqual(names.last, "consumer")
    }

    func testTreatmentsInheritedAndOverriddenByTheChild() throws {
        let g = GraphFixture("graph-inherit")
        g.edit("producer", "treatments:\n", "treatments:\n  baseline: {delta: 1}\n")
        g.edit("consumer", "treatments:\n", "treatments:\n  add_ten: {factor: 3.0}\n")
        let (_, results, _) = g.run()
        XCTAssertEqual(results["consumer"]?["conditions"] as? [String], ["baseline", "add_ten", "double"])
        let treatments = g.object("\(g.version("consumer"))/metadata.json")["treatments"] as? [String: [String: Any]]
        XCTAssertEqual(treatments?["baseline"]?["delta"] as? Int, 1, "the parent's baseline additions reach the child")
        XCTAssertEqual(treatments?["add_ten"]?["factor"] as? Double, 3.0, "the child's own add_ten wins")
        XCTAssertNil(treatments?["add_ten"]?["delta"], "by name, as a whole, as in crystallize-ml")
        // The child's add_ten still reads the producer's add_ten folder, and its own factor applies.
        let upstream = g.metric("consumer", "add_ten", "upstream_total"), totals = g.metric("consumer", "add_ten", "total")
        XCTAssertEqual(upstream.first ?? 0, g.metric("producer", "add_ten", "total").first ?? -1, accuracy: 1e-9)
        XCTAssertEqual(totals.first ?? 0, 3 * (upstream.first ?? -1), accuracy: 1e-9)
        XCTAssertFalse(g.host(["graph", "experiments/consumer"]).stdout.contains("add_ten (inherited)"), "own, not inherited")

        let only = g.run("consumer", ["--treatment", "add_ten", "--data-dir", "filtered"])
        XCTAssertEqual(only.results["consumer"]?["conditions"] as? [String], ["baseline", "add_ten"], "--treatment filters after inheritance")
    }

    func testInheritedConditionsLineUpThroughAChain() throws {
        let g = GraphFixture("graph-chain")
        g.edit("consumer", "  - record_metric\n", "  - record_metric\n  - save_summary: {output: digest}\noutputs:\n  digest: {file_name: digest.json, codec: json}\n")
        g.write("chain", """
        name: chain
        replicates: 6
        datasource: {down: consumer#digest}
        steps: [summarize_input]
        """)
        let (names, results, run) = g.run("chain")
        XCTAssertEqual(names, ["producer", "consumer", "chain"])
        XCTAssertEqual(results["chain"]?["conditions"] as? [String], ["baseline", "add_ten", "double"], "the grandparent's treatment arrives through the parent")
        XCTAssertFalse(run.stderr.contains("for condition 'add_ten' not found"), "every add_ten folder exists down the chain: \(run.stderr)")
        XCTAssertTrue(g.exists("\(g.version("consumer"))/replicate_5/add_ten/save_summary/digest.json"))
        let read = g.metric("chain", "add_ten", "upstream_total"), written = g.metric("consumer", "add_ten", "total")
        XCTAssertEqual(read.count, 6)
        for i in 0..<6 { XCTAssertEqual(read[i], written[i], accuracy: 1e-9, "chain replicate \(i) reads consumer replicate \(i)") }
    }

    func testPluginCodecWritesAndLoadsAnOutput() throws {
        let g = GraphFixture("graph-codec")
        g.edit("producer", "save_summary: {output: summary}", "save_text_summary: {output: summary}")
        g.edit("consumer", "  - summarize_input\n", "  - read_text_input\n")
        g.edit("producer", "file_name: summary.json\n    codec: json", "file_name: summary.txt\n    codec: c_upper")
        let (_, _, run) = g.run()
        let text = Harness.read("\(g.version("producer"))/replicate_1/baseline/save_text_summary/summary.txt")
        XCTAssertTrue(text.hasPrefix("{\"NUMBERS\": ["), "written through c_upper's encoder: \(text) \(run.output)")
        XCTAssertEqual(g.metric("consumer", "baseline", "upstream_uppercase"), Array(repeating: 1, count: 6), "read through c_upper's decoder as a string")
        XCTAssertEqual(g.metric("consumer", "baseline", "upstream_chars")[1], Double(text.count))
    }

    func testProcessExecutionRunsInheritedConditionsLikeSerial() throws {
        let g = GraphFixture("graph-processes")
        _ = g.run("consumer", ["--data-dir", "serial"])
        _ = g.run("consumer", ["--data-dir", "procs", "--execution", "processes", "--workers", "2"])
        for c in ["baseline", "add_ten", "double"] {
            let serial = FileManager.default.contents(atPath: "\(g.dir)/serial/consumer/v0/\(c)/results.json")
            XCTAssertNotNil(serial)
            XCTAssertEqual(FileManager.default.contents(atPath: "\(g.dir)/procs/consumer/v0/\(c)/results.json"), serial, c)
        }
    }
}
