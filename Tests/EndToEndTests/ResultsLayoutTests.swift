import Foundation
import XCTest

/// What a run leaves on disk: crystallize-ml 0.27's layout, artifact names that cannot escape
/// their folder, and no temporary files.
final class ResultsLayoutTests: XCTestCase {
    func testRunWritesCrystallizeMLLayout() throws {
        let fx = ExperimentFixture("layout")
        let exp = fx.experiment("lay", """
        name: lay
        replicates: 2
        seed: 3
        datasource: c_range
        steps: [c_add]
        treatments:
          more: {amount: 5}
        """)
        let r = fx.run(exp)
        XCTAssertEqual(r.status, 0, r.output)
        let v = fx.version("lay")
        let meta = fx.object("\(v)/metadata.json")
        XCTAssertEqual(meta["name"] as? String, "lay")
        XCTAssertEqual(meta["replicates"] as? Int, 2)
        XCTAssertEqual(meta["seed"] as? Int, 3)
        XCTAssertEqual(meta["status"] as? String, "complete")
        XCTAssertEqual(meta["conditions"] as? [String], ["baseline", "more"])
        XCTAssertEqual((meta["id"] as? String)?.count, 64)
        XCTAssertEqual(fx.object("\(v)/_manifest.json") as? [String: String], ["sum.txt": "c_add"])
        // results.json is crystallize-ml's {"metrics": {name: [values over replicates]}}.
        let base = fx.object("\(v)/baseline/results.json")
        XCTAssertEqual(Set(base.keys), ["metrics"])
        XCTAssertEqual(base["metrics"] as? [String: [Double]], ["c_sum": [10, 10]])
        XCTAssertEqual(fx.metric("lay", "more", "c_sum"), [26, 26])
        for c in ["baseline", "more"] {
            XCTAssertEqual(Harness.read("\(v)/\(c)/.crystallize_complete"), "", "marker present and empty (\(c))")
        }
        XCTAssertEqual(Harness.read("\(v)/replicate_0/baseline/c_add/sum.txt"), "10.000000")
        XCTAssertEqual(Harness.read("\(v)/replicate_1/more/c_add/sum.txt"), "26.000000")
        let entries = fx.files(v)
        XCTAssertEqual(entries.filter { $0.hasPrefix("replicate_") && !$0.contains("/") }, ["replicate_0", "replicate_1"])
        XCTAssertTrue(entries.contains("provenance.json"))
        XCTAssertEqual(entries.filter { $0.contains(".tmp.") || $0.contains(".trash-") }, [], "no temporary files left behind")
        XCTAssertEqual(fx.files("\(fx.dir)/data/lay"), fx.files("\(fx.dir)/data/lay").filter { $0.hasPrefix("v0") }, "one version folder only")
    }

    func testRerunReplacesTheVersionFolderWithoutStaleFiles() {
        let fx = ExperimentFixture("layout-rerun")
        let exp = fx.experiment("again", "name: again\nreplicates: 3\ndatasource: c_range\nsteps: [c_add]\ntreatments:\n  more: {amount: 2}\n")
        XCTAssertEqual(fx.run(exp).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(fx.version("again"))/replicate_2"))
        XCTAssertEqual(fx.run(exp, ["--replicates", "2", "--treatment", "baseline"]).status, 0)
        let entries = fx.files(fx.version("again"))
        XCTAssertFalse(entries.contains("replicate_2"), "an older run's replicates do not linger")
        XCTAssertFalse(entries.contains("more"), "an older run's conditions do not linger")
        XCTAssertEqual(fx.metric("again", "baseline", "c_sum"), [10, 10])
        XCTAssertEqual(fx.files("\(fx.dir)/data/again").filter { !$0.hasPrefix("v0") }, [], "no trash left next to v0")
    }

    func testArtifactNamesThatWouldEscapeAreRefused() throws {
        let fx = ExperimentFixture("layout-evil")
        let probe = ProbePlugin.build(in: fx.dir)
        for (label, name) in [("parent", "../evil"), ("deep", "../../../evil"), ("slash", "sub/evil"), ("dotdot", ".."), ("dot", "."), ("empty", "")] {
            let exp = fx.experiment("evil_\(label)", """
            name: evil_\(label)
            datasource: c_range
            steps:
              - evil: {name: "\(name)"}
            """)
            let r = fx.run(exp, extraPlugins: [probe])
            XCTAssertEqual(r.status, 1, "\(label): \(r.output)")
            let message = "step 'evil' tried to write artifact '\(name)': artifact names may not be empty or contain '/', '\\' or '..'"
            XCTAssertTrue(r.stdout.contains("replicate 0, baseline, step evil: \(message)"), "\(label): \(r.output)")
            let errors = fx.object("\(fx.version("evil_\(label)"))/baseline/results.json")["errors"] as? [[String: Any]]
            XCTAssertEqual(errors?.first?["message"] as? String, message, label)
        }
        // Even a plugin that ignores the refusal writes nothing outside its folder.
        let lax = fx.experiment("evil_lax", "name: evil_lax\ndatasource: c_range\nsteps:\n  - evil: {name: ../evil, strict: false}\n")
        XCTAssertEqual(fx.run(lax, extraPlugins: [probe]).status, 0)
        let everything = fx.snapshot(fx.dir)
        XCTAssertEqual(everything.filter { $0.value == Data("pwned".utf8) }.keys.sorted(), [], "the plugin's bytes reached no file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: (fx.dir as NSString).deletingLastPathComponent + "/evil"))
        XCTAssertEqual(everything.keys.filter { $0.contains(".tmp.") }, [])
    }

    func testAllowedNamesThatMerelyContainDots() {
        let fx = ExperimentFixture("layout-dots")
        let probe = ProbePlugin.build(in: fx.dir)
        let exp = fx.experiment("dots", "name: dots\ndatasource: c_range\nsteps:\n  - evil: {name: \"results.v2..txt\"}\n")
        let r = fx.run(exp, extraPlugins: [probe])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(Harness.read("\(fx.version("dots"))/replicate_0/baseline/evil/results.v2..txt"), "pwned")
    }

    func testDataDirMovesTheRoot() {
        let fx = ExperimentFixture("layout-datadir")
        let exp = fx.experiment("moved", "name: moved\ndatasource: c_range\nsteps: [c_add]\n")
        let absolute = fx.dir + "/absolute root"
        XCTAssertEqual(fx.run(exp, ["--data-dir", absolute]).status, 0)
        XCTAssertEqual(fx.run(exp, ["--data-dir", "relative/root"]).status, 0)
        for root in [absolute, "\(fx.dir)/relative/root"] {
            for f in ["metadata.json", "_manifest.json", "provenance.json", "baseline/results.json", "baseline/.crystallize_complete",
                      "replicate_0/baseline/c_add/sum.txt"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/moved/v0/\(f)"), "\(root): missing \(f)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(fx.dir)/data"))
    }
}
