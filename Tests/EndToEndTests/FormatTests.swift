import Foundation
import XCTest

/// Every checkpoint and provenance format a release wrote stays readable (show, --provenance,
/// resume), from fixtures written by those releases' own hosts; a newer format than this host
/// knows is refused as newer, never called damaged, and nothing on disk changes.
final class FormatTests: XCTestCase {
    /// The fixtures: `Tests/Fixtures/formats/<format>/data/formats/v0`, written by the host of
    /// the commit named in `Tests/Fixtures/formats/README.md` from `Tests/Fixtures/formats/config.yaml`.
    static let fixtures = Harness.repoRoot.appendingPathComponent("Tests/Fixtures/formats").path
    static let config = """
    name: formats
    replicates: 4
    datasource: c_range
    steps:
      - c_add
    treatments:
      more: {amount: 4.0}
    """
    /// c_sum of range(4) + amount for each of 4 elements: 6 + 4 * amount (1 by default), the same in every release.
    static let expected: [String: Double] = ["baseline": 10, "more": 22]

    private func install(_ format: String, into f: ExperimentFixture) -> String {
        let data = "\(f.dir)/data-\(format)"
        try! FileManager.default.copyItem(atPath: "\(Self.fixtures)/\(format)/data", toPath: data)
        return data
    }

    func testRunsWrittenByEveryEarlierFormatAreShownWithTheirProvenance() throws {
        let formats = ((try? FileManager.default.contentsOfDirectory(atPath: Self.fixtures)) ?? []).filter { !$0.hasSuffix(".md") && !$0.hasSuffix(".yaml") }.sorted()
        XCTAssertEqual(formats, ["format-1", "format-2", "json-lines"], "a fixture of each format")
        for format in formats {
            let f = ExperimentFixture("formats-\(format)")
            let data = install(format, into: f)
            let show = f.host(["show", "formats", "--data-dir", data])
            XCTAssertEqual(show.status, 0, "\(format): \(show.output)")
            XCTAssertTrue(show.stdout.contains("baseline") && show.stdout.contains("more"), "\(format): \(show.output)")
            // What looks at stored runs reads them too: the HTML report, compare, the CSV export.
            let report = f.host(["report", "formats", "--data-dir", data, "-o", "\(f.dir)/report-\(format).html"])
            XCTAssertEqual(report.status, 0, "\(format): \(report.output)")
            XCTAssertTrue(Harness.read("\(f.dir)/report-\(format).html").contains("<html"), format)
            let compare = f.host(["compare", "formats@v0", "formats@v0", "--data-dir", data])
            XCTAssertEqual(compare.status, 0, "\(format): \(compare.output)")
            XCTAssertTrue(compare.stdout.contains("22.0000"), "\(format): \(compare.output)")
            let csv = f.host(["show", "formats", "--data-dir", data, "--format", "csv"])
            XCTAssertEqual(csv.status, 0, "\(format): \(csv.output)")
            let prov = Harness.provenance("formats", dataDir: data, in: f.dir)
            XCTAssertNotNil(prov, format)
            XCTAssertNil(prov?["records_damaged"], "\(format): old records are not damage")
            let runs = prov?["runs"] as? [[String: Any]] ?? []
            XCTAssertEqual(runs.count, 8, "\(format): every (replicate, condition)")
            for run in runs {
                let condition = run["condition"] as? String ?? "?"
                let steps = run["steps"] as? [[String: Any]] ?? []
                XCTAssertEqual(steps.map { $0["step"] as? String }, ["c_range", "c_add"], "\(format): \(run)")
                let metrics = (run["metrics"] as? [String: Any])?["c_sum"] as? [Double]
                    ?? ((steps.last?["metrics_diff"] as? [String: Any])?["c_sum"] as? [Double])
                    ?? (((steps.last?["ctx_changes"] as? [String: Any])?["metrics"] as? [String: Any])?["c_sum"] as? [String: Any])?["after"] as? [Double]
                XCTAssertEqual(metrics, [Self.expected[condition] ?? -1], "\(format) \(condition): \(run)")
            }
        }
    }

    /// An interrupted run whose checkpoints an earlier host wrote: resume reads them (runs only
    /// what is missing) and ends with exactly the results of a fresh run.
    func testResumeContinuesFromCheckpointsOfEveryEarlierFormat() throws {
        for format in ["json-lines", "format-1", "format-2"] {
            let f = ExperimentFixture("formats-resume-\(format)")
            let exp = f.experiment("formats", Self.config.replacingOccurrences(of: "replicates: 4", with: "replicates: 6"))
            let fresh = f.run(exp, ["--data-dir", "fresh"])
            XCTAssertEqual(fresh.status, 0, fresh.output)
            // The run this host would resume: its metadata, with the old host's checkpoints of
            // replicates 0-3 in place of its own, and no results yet.
            let v0 = "\(f.dir)/data/formats/v0"
            let made = f.run(exp)
            XCTAssertEqual(made.status, 0, made.output)
            for c in ["baseline", "more"] { try FileManager.default.removeItem(atPath: "\(v0)/\(c)") }
            try FileManager.default.removeItem(atPath: "\(v0)/replicates.journal")
            let old = "\(Self.fixtures)/\(format)/data/formats/v0"
            for name in ["replicates.journal", ".crystallize_checkpoints.jsonl"] where FileManager.default.fileExists(atPath: "\(old)/\(name)") {
                try FileManager.default.copyItem(atPath: "\(old)/\(name)", toPath: "\(v0)/\(name)")
            }
            let resumed = f.run(exp, ["--strategy", "resume", "--json"])
            XCTAssertEqual(resumed.status, 0, "\(format): \(resumed.output)")
            XCTAssertFalse(resumed.stderr.contains("damaged"), "\(format): \(resumed.output)")
            let result = (try? JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8))) as? [[String: Any]]
            XCTAssertEqual(result?.first?["executed_conditions"] as? Int, 4, "\(format): only replicates 4 and 5 run again: \(resumed.output)")
            for c in ["baseline", "more"] {
                XCTAssertEqual(Harness.read("\(v0)/\(c)/results.json"), Harness.read("\(f.dir)/fresh/formats/v0/\(c)/results.json"), "\(format) \(c)")
            }
        }
    }

    func testANewerJournalFormatIsRefusedAsNewerAndNothingChanges() throws {
        let f = ExperimentFixture("formats-newer")
        let exp = f.experiment("formats", Self.config)
        XCTAssertEqual(f.run(exp).status, 0)
        let v0 = "\(f.dir)/data/formats/v0"
        // A block of format 3: the header's format byte changed, its checksum (of the payload) intact.
        var journal = [UInt8](FileManager.default.contents(atPath: "\(v0)/replicates.journal")!)
        XCTAssertEqual(Array(journal[0..<4]), [0x1E, 0x43, 0x4A, 0x32])
        journal[3] = 0x33
        try Data(journal).write(to: URL(fileURLWithPath: "\(v0)/replicates.journal"))
        let show = f.host(["show", "formats", "--provenance"])
        XCTAssertEqual(show.status, 2, show.output)
        XCTAssertTrue(show.stderr.contains("replicates.journal was written by a newer crystallize-host (checkpoint journal format 3)"), show.output)
        XCTAssertFalse(show.stderr.contains("damaged"), show.output)
        try FileManager.default.removeItem(atPath: "\(v0)/baseline/.crystallize_complete")
        let snapshot = f.snapshot("\(f.dir)/data")
        let resume = f.run(exp, ["--strategy", "resume"])
        XCTAssertEqual(resume.status, 2, resume.output)
        XCTAssertTrue(resume.stderr.contains("newer crystallize-host (checkpoint journal format 3)"), resume.output)
        XCTAssertEqual(f.snapshot("\(f.dir)/data"), snapshot, "a refused resume changes nothing")

        // provenance.json naming records of a later format.
        let prov = "\(v0)/provenance.json"
        try Harness.read(prov).replacingOccurrences(of: "crystallize-journal/2", with: "crystallize-journal/7").write(toFile: prov, atomically: true, encoding: .utf8)
        let p = f.host(["show", "formats", "--provenance"])
        XCTAssertEqual(p.status, 2, p.output)
        XCTAssertTrue(p.stderr.contains("provenance.json was written by a newer crystallize-host (step records crystallize-journal/7)"), p.output)
    }
}
