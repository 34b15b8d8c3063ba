import Foundation
import XCTest

/// The SlurmExecution plugin against a real slurmctld and slurmd: results, failures, Ctrl-C
/// and resume, missing commands and a dead controller.
final class SlurmTests: SlurmTestCase {
    // MARK: - tests

    /// The demo, with plugins given by relative paths, as one job array: byte-identical to serial.
    func testDemoAsJobArrayMatchesSerialByteForByte() throws {
        // Relative --plugin paths: workers on the nodes must still find the plugins.
        try FileManager.default.createDirectory(atPath: "\(dir)/plugins", withIntermediateDirectories: true)
        for p in ["MySteps", "SlurmExecution"] {
            try FileManager.default.createSymbolicLink(atPath: "\(dir)/plugins/lib\(p).so", withDestinationPath: Harness.plugin(p))
        }
        let demo = Harness.repoRoot.appendingPathComponent("experiments/demo").path
        func run(_ execution: String) -> HostRun {
            Harness.run(["--plugin", "plugins/libMySteps.so", "--plugin", "plugins/libSlurmExecution.so", "run", demo, "--data-dir", execution,
                         "--execution", execution, "--replicates", "6", "--seed", "7", "--quiet"],
                        in: dir, environment: ["CRYSTALLIZE_CACHE_DIR": "\(dir)/cache-\(execution)"], timeout: 300)
        }
        let serial = run("serial")
        XCTAssertEqual(serial.status, 0, serial.output)
        let onSlurm = run("slurm")
        XCTAssertEqual(onSlurm.status, 0, onSlurm.output)
        let expected = results("\(dir)/serial", "demo", ["baseline", "add_ten"])
        XCTAssertEqual(expected.count, 2)
        XCTAssertEqual(results("\(dir)/slurm", "demo", ["baseline", "add_ten"]), expected, "results.json differs between serial and slurm")

        // Every replicate really ran in a task on the cluster; short replicates share tasks,
        // and the plugin says how it chose the batch size.
        XCTAssertTrue(onSlurm.stderr.contains("replicates_per_task chosen from"), onSlurm.output)
        let subs = submissions("\(dir)/slurm/demo/v0/.work")
        XCTAssertEqual(subs.count, 1, "one submission per run")
        let sub = try XCTUnwrap(subs.first)
        let tasks = batches(sub)
        XCTAssertEqual(tasks.flatMap { $0 }, Array(0..<6), "every replicate in exactly one task, in order")
        XCTAssertLessThan(tasks.count, 6, "short replicates share tasks: \(tasks)")
        let ids = jobIDs(sub)
        XCTAssertEqual(ids.count, 1)
        let id = try XCTUnwrap(ids.first)
        for (i, batch) in tasks.enumerated() {
            let log = Harness.read("\(sub)/slurm-\(id)_\(i).attempt0.log")
            XCTAssertTrue(log.contains("slurm task \(id)_\(i) (task \(i), attempt 0) runs replicates \(batch.map(String.init).joined(separator: ","))"), "task \(i) log: \(log)")
            for r in batch { XCTAssertTrue(log.contains("crystallize: replicate \(r) finished in"), log) }
        }
        XCTAssertEqual(taskStates(id).filter { $0 == "COMPLETED" }.count, tasks.count, "\(taskStates(id))")
        let prov = Harness.json("\(dir)/slurm/demo/v0/provenance.json") as? [String: Any]
        XCTAssertEqual((prov?["execution"] as? [String: Any])?["strategy"] as? String, "slurm")
    }

    /// A task that dies becomes its replicate's error (state, exit code, log tail); the rest is kept.
    /// A step error inside a task comes back through the result file, exactly as in a serial run.
    func testFailingTasksBecomeTheirReplicatesErrors() throws {
        // One task runs all four replicates; the worker dies in replicate 1: replicate 0 is kept,
        // replicate 1 gets the task's failure, and 2 and 3, which it never reached, run in a task of their own.
        crashConfig("crash_exit", mode: "exit", on: 1, perTask: 4)
        let r = Harness.run(slurmPlugins + ["run", "experiments/crash_exit"], in: dir, timeout: 300)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stdout.contains("replicate 1, baseline"), r.output)
        let base = try XCTUnwrap(Harness.json("\(dir)/data/crash_exit/v0/baseline/results.json") as? [String: Any])
        XCTAssertEqual(((base["metrics"] as? [String: Any])?["c_sum"] as? [Double])?.count, 3, "the other replicates' results are kept")
        let errors = try XCTUnwrap(base["errors"] as? [[String: Any]])
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?["replicate"] as? Int, 1)
        let message = try XCTUnwrap(errors.first?["message"] as? String, "\(errors)")
        XCTAssertTrue(message.range(of: #"slurm task \d+_0 FAILED \(exit code 3\)"#, options: .regularExpression) != nil, message)
        XCTAssertTrue(message.contains("runs replicates 0,1,2,3 on"), "the log tail is part of the error: \(message)")
        let sub = try XCTUnwrap(submissions("\(dir)/data/crash_exit/v0/.work").first)
        XCTAssertEqual(batches(sub), [[0, 1, 2, 3], [2, 3]], "the replicates the crashed task never reached were resubmitted")

        crashConfig("crash_error", mode: "error", on: 2)
        let ref = Harness.run(slurmPlugins + ["run", "experiments/crash_error", "--execution", "serial", "--data-dir", "ref"], in: dir)
        XCTAssertEqual(ref.status, 1, ref.output)
        let onSlurm = Harness.run(slurmPlugins + ["run", "experiments/crash_error"], in: dir, timeout: 300)
        XCTAssertEqual(onSlurm.status, 1, onSlurm.output)
        XCTAssertTrue(onSlurm.stdout.contains("c_crash was asked to fail"), onSlurm.output)
        XCTAssertEqual(results("\(dir)/data", "crash_error", ["baseline"]), results("\(dir)/ref", "crash_error", ["baseline"]))
    }

    /// Ctrl-C cancels the array; resume submits only the replicates that have no result yet.
    func testInterruptCancelsTheArrayAndResumeSubmitsOnlyMissingReplicates() throws {
        let shared = "\(dir)/shared"
        // array_throttle 1: one task at a time, so the interrupt lands with work done and work left.
        Harness.write("\(dir)/experiments/sleepy/config.yaml", """
        name: sleepy
        replicates: 4
        datasource: c_range
        steps:
          - step: c_sleep
            params: {ms: 2500}
          - c_add
        execution: {strategy: slurm, poll_interval: 0.2, array_throttle: 1, shared_dir: \(shared)}
        """)
        let p = Harness.start(slurmPlugins + ["run", "experiments/sleepy", "--quiet"], in: dir)
        var first: String? = nil
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, p.isRunning {
            if let s = submissions(shared).first, !replicatesWithResults(s).isEmpty { first = s; break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let sub = try XCTUnwrap(first, "no task finished within 120 s")
        let id = try XCTUnwrap(jobIDs(sub).first, "no job id in \(sub)/submission.json")
        kill(p.processIdentifier, SIGINT)
        let exitDeadline = Date().addingTimeInterval(60)
        while p.isRunning, Date() < exitDeadline { Thread.sleep(forTimeInterval: 0.1) }
        if p.isRunning { p.terminate(); XCTFail("the host did not stop within 60 s of Ctrl-C") }
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130, "a cancelled run exits 130")

        let states = taskStates(id)
        XCTAssertFalse(states.contains { ["PENDING", "RUNNING", "COMPLETING"].contains($0) }, "scancel left tasks behind: \(states)")
        XCTAssertTrue(states.contains("CANCELLED"), "\(states)")
        let done = replicatesWithResults(sub)
        XCTAssertLessThan(done.count, 4, "the interrupt came too late to test anything")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/data/sleepy/v0/baseline/.crystallize_complete"))

        let resumed = Harness.run(slurmPlugins + ["run", "experiments/sleepy", "--strategy", "resume"], in: dir, timeout: 300)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        let second = submissions(shared).subtracting([sub])
        XCTAssertEqual(second.count, 1)
        let submitted = batches(second.first ?? "").flatMap { $0 }
        XCTAssertEqual(submitted, (0..<4).filter { !done.contains($0) }, "resume submits exactly the replicates without a result")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/data/sleepy/v0/baseline/.crystallize_complete"), resumed.output)
        let base = Harness.json("\(dir)/data/sleepy/v0/baseline/results.json") as? [String: Any]
        XCTAssertEqual(((base?["metrics"] as? [String: Any])?["c_sum"] as? [Double])?.count, 4)
    }

    /// Without sbatch on PATH the run stops with a clear error before writing or submitting anything.
    func testMissingSbatchIsAClearErrorAndSubmitsNothing() throws {
        let shared = "\(dir)/shared"
        let emptyBin = "\(dir)/empty-bin"
        try FileManager.default.createDirectory(atPath: emptyBin, withIntermediateDirectories: true)
        crashConfig("nosbatch", mode: "exit", on: 99)
        let before = knownJobs()
        let r = Harness.run(slurmPlugins + ["run", "experiments/nosbatch", "--execution", "slurm"], in: dir, environment: ["PATH": emptyBin])
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("sbatch, squeue, scancel not found on PATH"), r.output)
        XCTAssertTrue(r.stderr.contains("Nothing was submitted"), r.output)
        XCTAssertTrue(submissions("\(dir)/data/nosbatch/v0/.work").isEmpty && submissions(shared).isEmpty)
        XCTAssertEqual(knownJobs(), before, "no job was submitted")
    }

    /// A controller that does not answer is a clear error before anything is submitted.
    func testUnreachableControllerIsAClearError() throws {
        let conf = try String(contentsOfFile: ProcessInfo.processInfo.environment["SLURM_CONF"]!, encoding: .utf8)
        let dead = conf.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("SlurmctldPort=") ? "SlurmctldPort=1" : String($0) }.joined(separator: "\n")
        Harness.write("\(dir)/dead.conf", dead)
        crashConfig("nocontroller", mode: "exit", on: 99)
        let r = Harness.run(slurmPlugins + ["run", "experiments/nocontroller"], in: dir, environment: ["SLURM_CONF": "\(dir)/dead.conf"])
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("Slurm controller does not answer") && r.stderr.contains("dead.conf"), r.output)
        XCTAssertTrue(submissions("\(dir)/data/nocontroller/v0/.work").isEmpty)
    }
}
