import Foundation
import XCTest

/// `crystallize-host compare` and `show --format`: runs side by side, per-replicate exports.
final class CompareTests: XCTestCase {
    static let config = """
    name: cmp
    replicates: 3
    seed: 5
    versioned: true
    datasource: numbers
    steps:
      - add_delta
      - step: c_scale
        params: {factor: 3.0}
      - record_metric
    treatments:
      up: {delta: 2.0}
    """

    /// The first table's rows (cells split on runs of two or more spaces).
    func differs(_ text: String) -> [[String]] {
        text.components(separatedBy: "\n\n")[0].split(separator: "\n").map {
            $0.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    func testTwoRunsDifferingInOneParameterShowExactlyThatColumn() throws {
        let fx = ExperimentFixture("compare")
        let exp = fx.experiment("cmp", Self.config)
        XCTAssertEqual(fx.run(exp).status, 0)
        let cfg = "\(fx.dir)/\(exp)/config.yaml"
        Harness.write(cfg, Harness.read(cfg).replacingOccurrences(of: "factor: 3.0", with: "factor: 4.0"))
        XCTAssertEqual(fx.run(exp).status, 0)

        let r = fx.host(["compare", "cmp@v0", "cmp@v1"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(differs(r.stdout), [["run", "params.c_scale.factor"], ["cmp@v0", "3.0"], ["cmp@v1", "4.0"]], r.stdout)
        // The metrics table: n, mean, sd of each condition in each run.
        let metrics = r.stdout.components(separatedBy: "\n\n")[1].split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        XCTAssertEqual(metrics[0], ["metric", "condition", "cmp@v0", "n", "mean", "sd", "cmp@v1", "n", "mean", "sd"])
        XCTAssertEqual(metrics.dropFirst().map { Array($0.prefix(3)) }, [["total", "baseline", "3"], ["total", "up", "3"]])
        let v0 = try XCTUnwrap(fx.object("\(fx.version("cmp", 0))/up/results.json")["metrics"] as? [String: [Double]])["total"]!
        XCTAssertEqual(Double(metrics[2][3]) ?? .nan, v0.reduce(0, +) / 3, accuracy: 1e-3, "the mean is results.json's")

        // --json: the same verdict for scripts; --all: every column.
        let j = fx.host(["compare", "cmp@v0", "cmp@v1", "--json"])
        let doc = try XCTUnwrap(Harness.hostJSONObject(j.stdout), j.output)
        XCTAssertEqual(doc["differs"] as? [String], ["params.c_scale.factor"])
        XCTAssertEqual((doc["runs"] as? [[String: Any]])?.map { $0["label"] as? String }, ["cmp@v0", "cmp@v1"])
        let all = differs(fx.host(["compare", "cmp@v0", "cmp@v1", "--all"]).stdout)[0]
        for column in ["seed", "replicates", "treatment.up", "plugin.MySteps", "plugin.CTestPlugin", "params.c_scale.factor"] {
            XCTAssertTrue(all.contains(column), "--all shows \(column): \(all)")
        }
        // A treatment changed: exactly its column.
        Harness.write(cfg, Harness.read(cfg).replacingOccurrences(of: "up: {delta: 2.0}", with: "up: {delta: 3.0}"))
        XCTAssertEqual(fx.run(exp).status, 0)
        XCTAssertEqual(differs(fx.host(["compare", "cmp@v1", "cmp@v2"]).stdout), [["run", "treatment.up"], ["cmp@v1", "{\"delta\": 2.0}"], ["cmp@v2", "{\"delta\": 3.0}"]])
        // Across experiments, by run folder: seed, replicates and the experiment differ too.
        let other = fx.experiment("other", Self.config.replacingOccurrences(of: "name: cmp", with: "name: other").replacingOccurrences(of: "seed: 5", with: "seed: 6"))
        XCTAssertEqual(fx.run(other, ["--replicates", "2"]).status, 0)
        let across = fx.host(["compare", "cmp@v0", "data/other/v0"])
        XCTAssertEqual(differs(across.stdout)[0], ["run", "experiment", "replicates", "seed"], across.output)
    }

    func testCompareRefusesBadReferences() {
        let fx = ExperimentFixture("compare-bad")
        XCTAssertEqual(fx.run(fx.experiment("cmp", Self.config)).status, 0)
        let one = fx.host(["compare", "cmp"])
        XCTAssertNotEqual(one.status, 0)
        XCTAssertTrue(one.stderr.contains("at least two runs"), one.output)
        let missing = fx.host(["compare", "cmp@v0", "cmp@v7"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("v7 does not exist; versions: v0"), missing.output)
        let typo = fx.host(["compare", "cmp@7", "cmp@v0"])
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.stderr.contains("expected <experiment>@vN"), typo.output)
    }

    func testShowExportsEveryReplicateAsCsvAndJson() throws {
        let fx = ExperimentFixture("export")
        XCTAssertEqual(fx.run(fx.experiment("cmp", Self.config)).status, 0)
        let csv = fx.host(["show", "cmp", "--format", "csv"])
        XCTAssertEqual(csv.status, 0, csv.output)
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "replicate,condition,total")
        XCTAssertEqual(lines.dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") },
                       ["0,baseline", "0,up", "1,baseline", "1,up", "2,baseline", "2,up"])
        let base = try XCTUnwrap(fx.metric("cmp", "baseline", "total"))
        let exported = lines.filter { $0.contains(",baseline,") }.map { Double($0.split(separator: ",")[2])! }
        XCTAssertEqual(exported, base, "the values of results.json, per replicate, to the last bit")
        let json = fx.host(["show", "cmp", "--format", "json"])
        let rows = try XCTUnwrap((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) as? [[String: Any]], json.output)
        XCTAssertEqual(rows.count, 6)
        XCTAssertEqual(rows[0]["condition"] as? String, "baseline")
        XCTAssertEqual((rows[0]["metrics"] as? [String: Any])?["total"] as? Double, base[0])
        let bad = fx.host(["show", "cmp", "--format", "xml"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--format must be text, csv or json"), bad.output)
    }
}
