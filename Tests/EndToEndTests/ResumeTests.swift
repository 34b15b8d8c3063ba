import CrystallizeRuntime
import Foundation
import XCTest

/// Resume: load complete runs, re-run by crystallize-ml's rules, and finish interrupted runs
/// from per-replicate checkpoints — including after SIGKILL.
final class ResumeTests: XCTestCase {
    var dir = ""
    var plugins: [String] { ["--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("CTestPlugin"), "--plugin", Harness.plugin("ProbeTestPlugin")] }
    var config: String { "\(dir)/experiments/res/config.yaml" }

    override func setUp() {
        dir = Harness.temporaryDirectory("resume")
        Harness.write(config, """
        name: res
        replicates: 8
        seed: 3
        datasource: numbers
        steps:
          - add_delta
          - record_metric
        treatments:
          add_ten: {delta: 10}
        """)
    }

    func resume(_ extra: [String] = []) throws -> [String: Any] {
        let r = Harness.run(plugins + ["run", "experiments/res", "--strategy", "resume", "--json"] + extra, in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        return try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.last)
    }

    func testCompleteRunIsLoadedNotRun() throws {
        _ = try resume()
        let j = try resume()
        XCTAssertEqual(j["loaded_from_disk"] as? Bool, true)
        XCTAssertEqual(j["executed_conditions"] as? Int, 0)
        XCTAssertNotNil((j["hypotheses"] as? [Any]), "hypotheses are recomputed from loaded metrics")
    }

    func assertReruns(because expected: String, after change: () throws -> Void) throws {
        _ = try resume()
        try change()
        let j = try resume()
        XCTAssertEqual(j["loaded_from_disk"] as? Bool, false)
        XCTAssertTrue((j["rerun_reason"] as? String ?? "").contains(expected), "\(j["rerun_reason"] ?? "none")")
    }

    func testChangedParameterReruns() throws {
        try assertReruns(because: "pipeline signature") {
            Harness.write(config, Harness.read(config).replacingOccurrences(of: "  - add_delta\n", with: "  - add_delta: {delta: 1.0}\n"))
        }
    }

    func testChangedStepListReruns() throws {
        try assertReruns(because: "pipeline signature") {
            Harness.write(config, Harness.read(config).replacingOccurrences(of: "  - record_metric", with: "  - save_numbers\n  - record_metric"))
        }
    }

    func testChangedPluginBinaryReruns() throws {
        // Two builds of the same C plugin that differ only in a constant: same names, new sha256.
        let src = { (v: String) in """
            #include "crystallize.h"
            static const crys_host *H;
            static crys_status add(crys_ctx *ctx, crys_value *data, crys_value **out, void *u) { (void)u; (void)data;
                H->record_metric(ctx, "total", H->make_f64(ctx, \(v)), NULL, 0); *out = H->make_null(ctx); return CRYS_OK; }
            static const crys_export ex[] = {{ .size = sizeof(crys_export), .kind = CRYS_KIND_DATASOURCE, .name = "versioned", .call = add }};
            static const crys_plugin d = { sizeof(crys_plugin), CRYS_ABI_MAJOR, CRYS_ABI_MINOR, sizeof(void *), "Versioned", "1", NULL, ex, 1 };
            CRYS_DEFINE_ENTRY(host) { H = host; return &d; }
            """ }
        let lib = Harness.compileC(src("1.0"), name: "Versioned", in: dir)
        Harness.write(config, "name: res\nreplicates: 2\ndatasource: versioned\nsteps: [record_metric]\n")
        let run = { Harness.run(["--plugin", lib, "--plugin", Harness.plugin("MySteps"), "run", "experiments/res", "--strategy", "resume", "--json"], in: self.dir) }
        XCTAssertEqual(run().status, 0)
        _ = Harness.compileC(src("2.0"), name: "Versioned", in: dir)
        let r = run()
        XCTAssertTrue(r.stdout.contains("pipeline signature changed"), r.output)
    }

    func testChangedTreatmentsRerun() throws {
        try assertReruns(because: "treatments differ") {
            Harness.write(config, Harness.read(config).replacingOccurrences(of: "delta: 10", with: "delta: 11"))
        }
        try assertReruns(because: "treatments differ") {
            Harness.write(config, Harness.read(config) + "\n  add_two: {delta: 2}\n")
        }
    }

    func testMissingMarkerOrMetadataReruns() throws {
        try assertReruns(because: "metadata.json is missing") {
            try FileManager.default.removeItem(atPath: "\(dir)/data/res/v0/metadata.json")
        }
        _ = try resume()
        try FileManager.default.removeItem(atPath: "\(dir)/data/res/v0/add_ten/.crystallize_complete")
        try FileManager.default.removeItem(atPath: "\(dir)/data/res/v0/replicates.journal")
        let j = try resume()
        XCTAssertTrue((j["rerun_reason"] as? String ?? "").contains("completion marker"), "\(j)")
    }

    func testDamagedResultsFileIsAClearError() throws {
        _ = try resume()
        Harness.write("\(dir)/data/res/v0/baseline/results.json", "{\"metrics\": {\"total\": [1, 2,")
        let r = Harness.run(plugins + ["run", "experiments/res", "--strategy", "resume"], in: dir)
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("data/res/v0/baseline/results.json"), r.output)
        XCTAssertEqual(Harness.read("\(dir)/data/res/v0/baseline/results.json"), "{\"metrics\": {\"total\": [1, 2,", "nothing on disk is lost")
    }

    /// Kills the host with SIGKILL at several moments, resumes, and compares with an
    /// uninterrupted run: every finished (replicate, condition) survives, nothing is run twice
    /// that was durable, and the final results are byte-identical.
    func testSigkillAtAnyMomentThenResumeMatchesUninterruptedRun() throws {
        Harness.write(config, """
        name: res
        replicates: 40
        seed: 11
        datasource: numbers
        steps:
          - step: c_sleep
            params: {ms: 15}
          - add_delta
          - record_metric
        treatments:
          add_ten: {delta: 10}
        """)
        let ref = Harness.run(plugins + ["run", "experiments/res", "--data-dir", "ref", "--quiet"], in: dir)
        XCTAssertEqual(ref.status, 0, ref.output)
        // Killed once so many records are on disk: the moment varies, never whether it passes.
        for (i, (execution, delay)) in [("serial", 4), ("serial", 20), ("processes", 10), ("threads", 6)].enumerated() {
            let data = "killed\(i)"
            let p = Harness.start(plugins + ["run", "experiments/res", "--data-dir", data, "--execution", execution, "--workers", "2", "--quiet"], in: dir)
            let journal = "\(dir)/\(data)/res/v0/replicates.journal"
            Poll.until("\(delay) checkpointed records") { !p.isRunning || CheckpointJournal.read(journal).outcomes.count >= delay }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let (records, damaged) = CheckpointJournal.read("\(dir)/\(data)/res/v0/replicates.journal")
            XCTAssertEqual(damaged, 0, "a kill never leaves a damaged block")
            let saved = records.count
            XCTAssertGreaterThan(saved, 0, "some replicates were checkpointed before the kill")
            let r = Harness.run(plugins + ["run", "experiments/res", "--data-dir", data, "--strategy", "resume", "--json"], in: dir)
            XCTAssertEqual(r.status, 0, r.output)
            let j = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.last)
            XCTAssertLessThanOrEqual(try XCTUnwrap(j["executed_conditions"] as? Int), 80 - saved + 1, "only unfinished work runs again")
            for c in ["baseline", "add_ten"] {
                XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/\(data)/res/v0/\(c)/results.json"),
                               FileManager.default.contents(atPath: "\(dir)/ref/res/v0/\(c)/results.json"), "\(execution) after kill at \(delay)s: \(c)")
            }
        }
    }

    func testTornCheckpointBlockIsIgnored() throws {
        let p = Harness.start(plugins + ["run", "experiments/res", "--quiet"], in: dir)
        p.waitUntilExit()
        try FileManager.default.removeItem(atPath: "\(dir)/data/res/v0/baseline/.crystallize_complete")
        // Simulate a power cut mid-append: a half-written last block.
        let journal = "\(dir)/data/res/v0/replicates.journal"
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: journal))
        h.seekToEndOfFile()
        h.write(Data([0x1E, 0x43, 0x4A, 0x32, 200, 0, 0, 0] + Array(repeating: 7, count: 40)))
        try h.close()
        XCTAssertEqual(CheckpointJournal.read(journal).damaged, 1)
        let r = Harness.run(plugins + ["run", "experiments/res", "--strategy", "resume", "--json"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("damaged checkpoint region"), r.output)
        // The resumed run appended after the torn block; a reader still finds every record.
        let (records, damaged) = CheckpointJournal.read(journal)
        XCTAssertEqual(damaged, 1)
        XCTAssertTrue(records.contains { $0.condition == "baseline" }, "blocks after the torn one are read")
        let joined = try XCTUnwrap(Harness.provenance("res", in: dir), "provenance still reads past the torn block")
        XCTAssertEqual(joined["records_damaged"] as? Int, 1, "and says a region was unreadable")
        XCTAssertEqual((joined["runs"] as? [[String: Any]])?.count, 16, "every (replicate, condition) has its record")
    }
}

extension ResumeTests {
    func testDamagedMetadataStopsResumeAndKeepsTheRun() throws {
        _ = try resume()
        let meta = "\(dir)/data/res/v0/metadata.json"
        Harness.write(meta, "{\"replicates\": 8, \"id\"")
        let before = FileManager.default.contents(atPath: "\(dir)/data/res/v0/baseline/results.json")
        let r = Harness.run(plugins + ["run", "experiments/res", "--strategy", "resume"], in: dir)
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("data/res/v0/metadata.json"), r.output)
        XCTAssertEqual(FileManager.default.contents(atPath: "\(dir)/data/res/v0/baseline/results.json"), before, "nothing on disk is lost")
        XCTAssertEqual(Harness.read(meta), "{\"replicates\": 8, \"id\"")
    }
}
