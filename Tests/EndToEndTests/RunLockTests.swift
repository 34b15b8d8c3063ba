import CrystallizeRuntime
import Foundation
import XCTest

/// One run per experiment folder, with two real host processes: a second run is refused at
/// once naming the holder, waits with --wait, and a lock left by a killed run is taken over.
final class RunLockTests: XCTestCase {
    /// An experiment whose only replicate stays open until `gate`/open exists.
    private func heldExperiment(_ f: ExperimentFixture, _ name: String, gate: String, extra: String = "") -> String {
        try! FileManager.default.createDirectory(atPath: gate, withIntermediateDirectories: true)
        return f.experiment(name, """
        name: \(name)
        replicates: 2
        datasource: c_range
        steps:
          - rt_gate: {dir: "\(gate)"}
          - c_add
        \(extra)
        """)
    }

    private var plugins: [String] { ["--plugin", Harness.plugin("ReliabilityTestPlugin")] }

    func testSecondRunIsRefusedNamingTheHolderAndWaitWaits() {
        let f = ExperimentFixture("lock")
        let gate = "\(f.dir)/gate"
        let exp = heldExperiment(f, "held", gate: gate)
        let first = BackgroundHost(f.plugins + plugins + ["run", exp, "--quiet", "--execution", "processes", "--workers", "2"], in: f.dir)
        Poll.until("the first run to reach its gate") { FileManager.default.fileExists(atPath: "\(gate)/started") }

        let second = f.run(exp, ["--seed", "2"], extraPlugins: [Harness.plugin("ReliabilityTestPlugin")])
        XCTAssertEqual(second.status, 2, second.output)
        XCTAssertTrue(second.stderr.contains("data/held is in use by another run"), second.output)
        XCTAssertTrue(second.stderr.contains("pid \(first.pid) on host \(RunLock.hostName())"), second.output)
        XCTAssertTrue(second.stderr.contains("started 20"), "names the start time: \(second.output)")
        XCTAssertTrue(second.stderr.contains("--wait"), second.output)
        // Readers never need the lock.
        XCTAssertEqual(f.host(["list"]).status, 0)

        let waiting = BackgroundHost(f.plugins + plugins + ["run", exp, "--quiet", "--wait", "--seed", "3", "--json"], in: f.dir)
        Poll.until("the waiting run to say it waits") { waiting.stderr.contains("waiting: ") }
        XCTAssertTrue(waiting.process.isRunning, "it waits while the first run holds the folder")
        _ = FileManager.default.createFile(atPath: "\(gate)/open", contents: nil)
        let a = first.finish()
        XCTAssertEqual(a.status, 0, a.output)
        let c = waiting.finish()
        XCTAssertEqual(c.status, 0, c.output)
        // The waiting run ran after the first one finished, whole: its seed is the one on disk.
        let metadata = f.object("\(f.version("held"))/metadata.json")
        XCTAssertEqual(metadata["status"] as? String, "complete")
        XCTAssertEqual(metadata["seed"] as? Int, 3, "the waiting run's results replaced the first run's, after it")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data/held/.crystallize-lock"), "released at the end")
    }

    /// A detached cluster run's submitting host has exited, so no lock is held, yet its tasks
    /// may still write into the folder: plain runs, resumes and new submissions are refused
    /// until attach or cancel, and nothing on disk changes.
    func testAFolderWithAnUncollectedDetachedRunIsRefused() throws {
        let f = ExperimentFixture("lock-detached")
        let exp = f.experiment("far", "name: far\nreplicates: 2\ndatasource: c_range\nsteps: [c_add]\n")
        XCTAssertEqual(f.host(["run", exp, "--quiet"]).status, 0)
        let metadata = "\(f.dir)/data/far/v0/metadata.json"
        var meta = try XCTUnwrap(Harness.json(metadata) as? [String: Any])
        meta["status"] = "detached"
        try JSONSerialization.data(withJSONObject: meta).write(to: URL(fileURLWithPath: metadata))
        let before = try Data(contentsOf: URL(fileURLWithPath: metadata))
        for extra in [[], ["--strategy", "resume"]] {
            let r = f.host(["run", exp] + extra)
            XCTAssertEqual(r.status, 2, "\(extra): \(r.output)")
            XCTAssertTrue(r.stderr.contains("data/far/v0 is a detached cluster run not collected yet"), r.output)
            XCTAssertTrue(r.stderr.contains("crystallize-host attach far") && r.stderr.contains("crystallize-host cancel far"), r.output)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: metadata)), before, "the detached run's folder is untouched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data/far/v1"))
    }

    func testLockOfAKilledRunIsTakenOverWithANote() {
        let f = ExperimentFixture("stale")
        let gate = "\(f.dir)/gate"
        let exp = heldExperiment(f, "stale", gate: gate)
        let killed = BackgroundHost(f.plugins + plugins + ["run", exp, "--quiet"], in: f.dir)
        Poll.until("the run to reach its gate") { FileManager.default.fileExists(atPath: "\(gate)/started") }
        kill(killed.pid, SIGKILL)
        _ = killed.finish()
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(f.dir)/data/stale/.crystallize-lock"), "SIGKILL leaves the lock file")

        _ = FileManager.default.createFile(atPath: "\(gate)/open", contents: nil)
        let r = f.run(exp, ["--strategy", "resume"], extraPlugins: [Harness.plugin("ReliabilityTestPlugin")])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("took over the lock on"), r.output)
        XCTAssertTrue(r.stderr.contains("pid \(killed.pid)"), "names the old holder: \(r.output)")
    }
}
