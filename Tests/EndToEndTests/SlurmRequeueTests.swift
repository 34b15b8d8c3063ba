import ChildProcesses
import Foundation
import XCTest

/// Requeues and split arrays on the real local Slurm cluster (MaxArraySize 8, see
/// scripts/slurm-local.sh): a task cancelled, requeued by hand or stopped by its time limit
/// runs again for its unfinished replicates only, every attempt's log is kept and named in
/// provenance; an array above MaxArraySize is submitted as several.
final class SlurmRequeueTests: SlurmTestCase {
    func sleepyConfig(_ name: String, ms: Int, replicates: Int, perTask: Int, extra: String = "") {
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

    func scontrol(_ args: [String]) { _ = slurm("scontrol", args) }

    func resultCount(_ name: String) -> Int {
        submissions("\(dir)/data/\(name)/v0/.work").reduce(0) { $0 + replicatesWithResults($1).count }
    }

    /// Checks that task 0 of `sub` ran twice, the second attempt skipping what the first finished,
    /// and that provenance names both attempts' logs for its replicates.
    func assertTwoAttempts(_ name: String, _ sub: String, id: String, file: StaticString = #filePath, line: UInt = #line) {
        let logs = attemptLogs(sub)
        XCTAssertTrue(logs.contains("slurm-\(id)_0.attempt0.log") && logs.contains("slurm-\(id)_0.attempt1.log"), "attempt logs: \(logs)", file: file, line: line)
        let second = Harness.read("\(sub)/slurm-\(id)_0.attempt1.log")
        XCTAssertTrue(second.contains("replicate 0 already has its result"), "the requeued attempt reruns only unfinished replicates: \(second)", file: file, line: line)
        XCTAssertFalse(second.contains("replicate 0 finished in"), second, file: file, line: line)
        let prov = Harness.json("\(dir)/data/\(name)/v0/provenance.json") as? [String: Any]
        let named = (prov?["logs"] as? [String: [String]])?["0"] ?? []
        XCTAssertTrue(named.contains("logs/attempts/slurm-\(id)_0.attempt0.log") && named.contains("logs/attempts/slurm-\(id)_0.attempt1.log"), "provenance logs: \(named)", file: file, line: line)
        let shown = Harness.run(["show", name, "--logs", "0"], in: dir)
        XCTAssertTrue(shown.stdout.contains("slurm-\(id)_0.attempt1.log"), shown.output, file: file, line: line)
    }

    /// A task cancelled under the run (as by preemption) is requeued; its finished replicates are kept.
    func testCancelledTaskIsRequeuedForItsUnfinishedReplicates() throws {
        sleepyConfig("preempted", ms: 1500, replicates: 3, perTask: 3)
        let p = Harness.start(slurmPlugins + ["run", "experiments/preempted", "--quiet"], in: dir)
        XCTAssertTrue(waitFor(120) { resultCount("preempted") >= 1 }, "no replicate finished within 120 s")
        let sub = try XCTUnwrap(submissions("\(dir)/data/preempted/v0/.work").first)
        let id = try XCTUnwrap(jobIDs(sub).first)
        _ = slurm("scancel", ["\(id)_0"])
        XCTAssertTrue(waitFor(240) { !p.isRunning }, "the run did not finish within 240 s")
        p.waitUntilExit()
        let output = p.stdout + p.stderr
        XCTAssertEqual(p.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("slurm task \(id)_0 CANCELLED: requeued (1 of 3)"), output)
        XCTAssertEqual(metricCount("\(dir)/data", "preempted"), 3)
        let record = Harness.json("\(sub)/submission.json") as? [String: Any]
        XCTAssertEqual(record?["requeues"] as? [String: Int], ["0": 1])
        assertTwoAttempts("preempted", sub, id: id)
    }

    /// `scontrol requeue` of a running task: Slurm runs it again; the run follows and completes.
    func testTaskRequeuedBySlurmRunsAgainAndKeepsEveryAttemptsLog() throws {
        sleepyConfig("requeued", ms: 1500, replicates: 3, perTask: 3)
        let p = Harness.start(slurmPlugins + ["run", "experiments/requeued", "--quiet"], in: dir)
        XCTAssertTrue(waitFor(120) { resultCount("requeued") >= 1 }, "no replicate finished within 120 s")
        let sub = try XCTUnwrap(submissions("\(dir)/data/requeued/v0/.work").first)
        let id = try XCTUnwrap(jobIDs(sub).first)
        scontrol(["requeue", "\(id)_0"])
        // Slurm holds a requeued job back for two minutes (BeginTime); once it is pending again,
        // let it start in 5 s (at once, slurmd may refuse it: "Job credential revoked").
        XCTAssertTrue(waitFor(60) { taskStates(id).first == "PENDING" }, "\(taskStates(id))")
        scontrol(["update", "jobid=\(id)_0", "StartTime=now+5"])
        XCTAssertTrue(waitFor(240) { !p.isRunning }, "the run did not finish within 240 s")
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(metricCount("\(dir)/data", "requeued"), 3)
        assertTwoAttempts("requeued", sub, id: id)
    }

    /// A task stopped by its time limit is requeued for the replicate it did not finish; with
    /// max_requeues 0 the same timeout fails that replicate and keeps the finished one.
    func testTimeLimitedTaskIsRequeuedOnlyForItsUnfinishedReplicate() throws {
        // One minute is Slurm's smallest limit (enforced within about 30 s more): replicate 0
        // (50 s) finishes, replicate 1 (due at 100 s) does not.
        sleepyConfig("timed", ms: 50000, replicates: 2, perTask: 2, extra: ", time_limit: \"1\", max_requeues: 1")
        let r = Harness.run(slurmPlugins + ["run", "experiments/timed"], in: dir, timeout: 600)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("TIMEOUT: requeued (1 of 1)"), r.output)
        XCTAssertEqual(metricCount("\(dir)/data", "timed"), 2)
        let sub = try XCTUnwrap(submissions("\(dir)/data/timed/v0/.work").first)
        assertTwoAttempts("timed", sub, id: try XCTUnwrap(jobIDs(sub).first))
    }

    /// An array above MaxArraySize (8 on the local cluster) is split; results match serial.
    func testArraysAboveMaxArraySizeAreSplit() throws {
        Harness.write("\(dir)/experiments/wide/config.yaml", """
        name: wide
        replicates: 19
        datasource: c_range
        steps:
          - c_add
        execution: {strategy: slurm, poll_interval: 0.2, replicates_per_task: 1}
        """)
        let serial = Harness.run(slurmPlugins + ["run", "experiments/wide", "--execution", "serial", "--data-dir", "ref", "--quiet"], in: dir)
        XCTAssertEqual(serial.status, 0, serial.output)
        let r = Harness.run(slurmPlugins + ["run", "experiments/wide"], in: dir, timeout: 600)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("(split: MaxArraySize 8)"), r.output)
        let sub = try XCTUnwrap(submissions("\(dir)/data/wide/v0/.work").first)
        let record = try XCTUnwrap(Harness.json("\(sub)/submission.json") as? [String: Any])
        let arrays = try XCTUnwrap(record["arrays"] as? [[String: Any]])
        XCTAssertEqual(arrays.map { $0["count"] as? Int }, [8, 8, 3])
        XCTAssertEqual(arrays.map { $0["first"] as? Int }, [0, 8, 16])
        XCTAssertEqual(Set(arrays.compactMap { $0["jobID"] as? String }).count, 3)
        XCTAssertEqual(replicatesWithResults(sub), Set(0..<19))
        XCTAssertEqual(results("\(dir)/data", "wide", ["baseline"]), results("\(dir)/ref", "wide", ["baseline"]))
    }
}
