import Foundation
import XCTest

/// Runs that outlive the host that submitted them, on the real local Slurm cluster:
/// `run --detach`, `status`, `attach`, `cancel`, and a host killed mid-run.
final class SlurmDetachTests: SlurmTestCase {
    func sleepyConfig(_ name: String, ms: Int = 1200, replicates: Int = 4, perTask: Int = 2, extra: String = "") {
        Harness.write("\(dir)/experiments/\(name)/config.yaml", """
        name: \(name)
        replicates: \(replicates)
        datasource: c_range
        steps:
          - step: c_sleep
            params: {ms: \(ms)}
          - c_add
        execution: {strategy: slurm, poll_interval: 0.2, replicates_per_task: \(perTask)\(extra)}
        """)
    }

    /// The serial run's results.json, for byte comparison.
    func reference(_ name: String) -> [String: Data] {
        let ref = Harness.run(slurmPlugins + ["run", "experiments/\(name)", "--execution", "serial", "--data-dir", "ref", "--quiet"], in: dir)
        XCTAssertEqual(ref.status, 0, ref.output)
        return results("\(dir)/ref", name, ["baseline"])
    }

    func resultFiles(_ name: String) -> Int {
        submissions("\(dir)/data/\(name)/v0/.work").reduce(0) { $0 + replicatesWithResults($1).count }
    }

    /// `run --detach` exits 0 at once with how to follow; `status` reads the scheduler;
    /// `attach` collects and aggregates exactly as a foreground run.
    func testDetachThenStatusThenAttachMatchesASerialRun() throws {
        sleepyConfig("detached")
        let expected = reference("detached")
        let submitted = Harness.run(slurmPlugins + ["run", "experiments/detached", "--detach"], in: dir, timeout: 120)
        XCTAssertEqual(submitted.status, 0, submitted.output)
        XCTAssertTrue(submitted.stdout.contains("crystallize-host attach detached") && submitted.stdout.contains("crystallize-host status detached"), submitted.output)
        let meta = Harness.json("\(dir)/data/detached/v0/metadata.json") as? [String: Any]
        XCTAssertEqual(meta?["status"] as? String, "detached")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/data/detached/v0/baseline/results.json"), "a detached run writes no results yet")
        let sub = try XCTUnwrap(submissions("\(dir)/data/detached/v0/.work").first)
        let id = try XCTUnwrap(jobIDs(sub).first)
        XCTAssertTrue(taskStates(id).contains { ["PENDING", "RUNNING", "CONFIGURING", "COMPLETED"].contains($0) }, "the array is on the cluster: \(taskStates(id))")

        // The submitting host has exited; until attach or cancel, nothing else runs into the folder.
        for args in [["run", "experiments/detached"], ["run", "experiments/detached", "--strategy", "resume"], ["run", "experiments/detached", "--detach"]] {
            let refused = Harness.run(slurmPlugins + args, in: dir, timeout: 120)
            XCTAssertEqual(refused.status, 2, "\(args): \(refused.output)")
            XCTAssertTrue(refused.stderr.contains("is a detached cluster run not collected yet") && refused.stderr.contains("crystallize-host attach detached"), refused.output)
        }
        XCTAssertEqual(submissions("\(dir)/data/detached/v0/.work").count, 1, "the refused runs submitted nothing")

        let status = Harness.run(["status"], in: dir)
        XCTAssertEqual(status.status, 0, status.output)
        XCTAssertTrue(status.stdout.contains("detached v0 [detached]"), status.output)
        XCTAssertTrue(status.stdout.contains("slurm job \(id):"), "the scheduler's state is shown: \(status.output)")
        XCTAssertTrue(status.stdout.contains("of 4 replicates"), status.output)

        let attached = Harness.run(["attach", "detached"], in: dir, timeout: 300)
        XCTAssertEqual(attached.status, 0, attached.output)
        XCTAssertTrue(attached.stdout.contains("detached — v0"), attached.output)
        XCTAssertEqual(results("\(dir)/data", "detached", ["baseline"]), expected, "attach aggregates exactly as a serial run")
        XCTAssertEqual((Harness.json("\(dir)/data/detached/v0/metadata.json") as? [String: Any])?["status"] as? String, "complete")
        XCTAssertEqual(submissions("\(dir)/data/detached/v0/.work").count, 1, "attach submits nothing new")
        let after = Harness.run(["status", "detached"], in: dir)
        XCTAssertTrue(after.stdout.contains("no detached or running runs"), after.output)
    }

    /// The host is killed (SIGKILL) while it follows the array: nothing is lost, attach finishes the run.
    func testKilledHostLosesNoReplicate() throws {
        sleepyConfig("killed", ms: 1500)
        let expected = reference("killed")
        let p = Harness.start(slurmPlugins + ["run", "experiments/killed", "--quiet"], in: dir)
        XCTAssertTrue(waitFor(120) { resultFiles("killed") >= 1 }, "no replicate finished within 120 s")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let status = Harness.run(["status", "killed"], in: dir)
        XCTAssertTrue(status.stdout.contains("killed v0 [running]"), status.output)
        let attached = Harness.run(["attach", "killed", "--quiet"], in: dir, timeout: 300)
        XCTAssertEqual(attached.status, 0, attached.output)
        XCTAssertEqual(results("\(dir)/data", "killed", ["baseline"]), expected)
        XCTAssertEqual(submissions("\(dir)/data/killed/v0/.work").count, 1, "the killed host's array was followed, not submitted again")
    }

    /// `cancel` stops the array and keeps what finished; resume runs only the rest.
    func testCancelKeepsFinishedReplicatesAndResumeRunsTheRest() throws {
        sleepyConfig("cancelled", ms: 2000, perTask: 4)
        let submitted = Harness.run(slurmPlugins + ["run", "experiments/cancelled", "--detach"], in: dir, timeout: 120)
        XCTAssertEqual(submitted.status, 0, submitted.output)
        XCTAssertTrue(waitFor(120) { resultFiles("cancelled") >= 1 }, "no replicate finished within 120 s")
        let cancelled = Harness.run(["cancel", "cancelled"], in: dir, timeout: 120)
        XCTAssertEqual(cancelled.status, 0, cancelled.output)
        XCTAssertTrue(cancelled.stdout.contains("cancelled;"), cancelled.output)
        let sub = try XCTUnwrap(submissions("\(dir)/data/cancelled/v0/.work").first)
        let id = try XCTUnwrap(jobIDs(sub).first)
        XCTAssertFalse(taskStates(id).contains { ["PENDING", "RUNNING"].contains($0) }, "\(taskStates(id))")
        let kept = try XCTUnwrap(metricCount("\(dir)/data", "cancelled"))
        XCTAssertGreaterThanOrEqual(kept, 1)
        XCTAssertLessThan(kept, 4)
        XCTAssertEqual((Harness.json("\(dir)/data/cancelled/v0/metadata.json") as? [String: Any])?["status"] as? String, "cancelled")
        let done = replicatesWithResults(sub)
        let resumed = Harness.run(slurmPlugins + ["run", "experiments/cancelled", "--strategy", "resume", "--quiet"], in: dir, timeout: 300)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        let second = submissions("\(dir)/data/cancelled/v0/.work").subtracting([sub])
        XCTAssertEqual(second.count, 1)
        XCTAssertEqual(batches(second.first ?? "").flatMap { $0 }, (0..<4).filter { !done.contains($0) })
        XCTAssertEqual(metricCount("\(dir)/data", "cancelled"), 4)
    }

    /// --detach with a strategy that runs in this process is a usage error; nothing is written.
    func testDetachNeedsAClusterStrategy() throws {
        sleepyConfig("local")
        let r = Harness.run(slurmPlugins + ["run", "experiments/local", "--execution", "serial", "--detach"], in: dir)
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("--detach needs a cluster execution strategy"), r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/data/local/v0"), "no run folder is written")
        let none = Harness.run(["attach", "local"], in: dir)
        XCTAssertEqual(none.status, 2, none.output)
        XCTAssertTrue(none.stderr.contains("no stored runs of 'local'") || none.stderr.contains("no detached or running run"), none.output)
    }
}
