import Foundation
import XCTest

/// Plugins/MySteps, the example a user copies, does what each of its exports says: the codec
/// round-trips a summary, setup refuses a bad count before any replicate, init and shutdown
/// bracket each process's trace, and random_search draws its trials from the search space.
final class MyStepsExampleTests: XCTestCase {
    func testSummaryLinesCodecCarriesTheGraphLikeJSON() {
        let json = GraphFixture("mysteps-json"), lines = GraphFixture("mysteps-lines")
        lines.edit("producer", "file_name: summary.json\n    codec: json", "file_name: summary.txt\n    codec: summary_lines")
        _ = json.run()
        _ = lines.run()
        let text = Harness.read("\(lines.version("producer"))/replicate_1/baseline/save_summary/summary.txt")
        XCTAssertTrue(text.hasPrefix("replicate 1\n") && text.split(separator: "\n").count == 4, text)
        for c in ["baseline", "add_ten", "double"] {
            XCTAssertEqual(lines.metric("consumer", c, "upstream_total"), json.metric("consumer", c, "upstream_total"), c)
            XCTAssertEqual(lines.metric("consumer", c, "upstream_replicate"), [0, 1, 2, 0, 1, 2], c)
        }
        // A damaged file is refused naming its line.
        try! "replicate 1\n1.5\nbanana\n".write(toFile: "\(lines.version("producer"))/replicate_1/baseline/save_summary/summary.txt", atomically: true, encoding: .utf8)
        lines.edit("consumer", "replicates: 6", "replicates: 5")
        let bad = lines.host(["run", "experiments/consumer", "--strategy", "resume"])
        XCTAssertNotEqual(bad.status, 0, bad.output)
        XCTAssertTrue(bad.output.contains("summary_lines: line 3 is not a number: 'banana'"), bad.output)
    }

    func testSetupRefusesABadCountBeforeAnyReplicate() {
        let f = ExperimentFixture("mysteps-setup")
        f.experiment("zero", "name: zero\nreplicates: 3\ndatasource:\n  numbers: {count: 0}\nsteps: [record_metric]\n")
        let r = f.host(["run", "experiments/zero"])
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("numbers: count must be at least 1, got 0"), r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.version("zero"))/baseline/results.json"))
    }

    func testInitAndShutdownBracketEachProcessTrace() throws {
        let f = ExperimentFixture("mysteps-trace")
        f.experiment("tr", "name: tr\nreplicates: 4\ndatasource: numbers\nsteps: [add_delta, record_metric]\n")
        let trace = "\(f.dir)/trace.log"
        let r = f.run("experiments/tr", ["--execution", "processes", "--workers", "2"], environment: ["MYSTEPS_TRACE": trace])
        XCTAssertEqual(r.status, 0, r.output)
        var byPid: [String: [String]] = [:]
        for line in Harness.read(trace).split(separator: "\n") {
            let pid = String(line.prefix { $0 != " " })
            byPid[pid, default: []].append(String(line.dropFirst(pid.count + 1)))
        }
        let workers = byPid.filter { $0.value.contains { $0.hasPrefix("total ") } }
        XCTAssertGreaterThanOrEqual(workers.count, 2, Harness.read(trace))
        var totals = 0
        for (pid, lines) in workers {
            XCTAssertEqual(lines.first, "init", pid)
            XCTAssertEqual(lines.dropFirst().first, "setup numbers", pid)
            XCTAssertEqual(Array(lines.suffix(2)), ["teardown numbers", "shutdown"], pid)
            totals += lines.filter { $0.hasPrefix("total ") }.count
        }
        XCTAssertEqual(totals, 4, "one total line per replicate")
        // Untraced, record_metric reads nothing from the context (its trace line is built only
        // when tracing): its provenance says so.
        XCTAssertEqual(f.run("experiments/tr", ["--quiet"]).status, 0)
        let joined = Harness.provenance("tr", in: f.dir)
        let steps = ((joined?["runs"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]]) ?? []
        let record = steps.first { $0["name"] as? String == "record_metric" || $0["step"] as? String == "record_metric" }
        let changes = try XCTUnwrap(record?["ctx_changes"] as? [String: Any], "\(steps)")
        let reads = try XCTUnwrap(changes["reads"] as? [String: Any], "\(changes)")
        XCTAssertTrue(reads.isEmpty, "\(reads)")
        let bad = f.run("experiments/tr", [], environment: ["MYSTEPS_TRACE": "\(f.dir)/no/such/folder/trace.log"])
        XCTAssertNotEqual(bad.status, 0, bad.output)
        XCTAssertTrue(bad.stderr.contains("plugin-wide init failed (status 1): MYSTEPS_TRACE: cannot open \(f.dir)/no/such/folder/trace.log"), bad.output)
    }

    func testRandomSearchTriesPointsInsideTheSpace() throws {
        let f = ExperimentFixture("mysteps-optimize")
        f.experiment("opt", """
        name: opt
        replicates: 2
        seed: 5
        datasource: numbers
        steps: [add_delta, record_metric]
        optimize:
          optimizer: random_search
          trials: 6
          seed: 1
          replicates_per_trial: 2
          objective: {metric: total, direction: maximize}
          params:
            delta: {uniform: [-2, 3]}
        """)
        XCTAssertEqual(f.run("experiments/opt").status, 0)
        let doc = f.object("\(f.version("opt"))/optimization.json")
        let deltas = (doc["trials"] as? [[String: Any]] ?? []).compactMap { ($0["params"] as? [String: Double])?["delta"] }
        XCTAssertEqual(deltas.count, 6, "\(doc)")
        XCTAssertTrue(deltas.allSatisfy { $0 >= -2 && $0 <= 3 }, "\(deltas)")
        XCTAssertGreaterThan(Set(deltas).count, 1, "drawn, not fixed")
        let best = try XCTUnwrap((doc["best"] as? [String: Any])?["params"] as? [String: Double])
        XCTAssertEqual(best["delta"], deltas.max(), "the largest delta maximizes the total")
    }
}
