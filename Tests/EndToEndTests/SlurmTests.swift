import Foundation
import XCTest

/// The SlurmExecution plugin against a real slurmctld and slurmd (scripts/slurm-local.sh;
/// `.ci/run` starts that cluster and sets CRYSTALLIZE_TEST_SLURM=1). Without them every test
/// here is skipped.
final class SlurmTests: XCTestCase {
    var dir = ""
    var slurmPlugins: [String] { ["--plugin", Harness.plugin("CTestPlugin"), "--plugin", Harness.plugin("SlurmExecution")] }

    override func setUpWithError() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["CRYSTALLIZE_TEST_SLURM"] == "1" else {
            throw XCTSkip("needs a Slurm cluster: eval \"$(scripts/slurm-local.sh start)\" and CRYSTALLIZE_TEST_SLURM=1")
        }
        guard let conf = env["SLURM_CONF"], !conf.isEmpty else { throw XCTSkip("SLURM_CONF is not set (scripts/slurm-local.sh start prints it)") }
        dir = Harness.temporaryDirectory("slurm")
    }

    // MARK: - helpers

    /// Runs a Slurm client command and returns its stdout.
    func slurm(_ command: String, _ args: [String]) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [command] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try! p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// State of every task of array job `id`, one entry per line of squeue.
    func taskStates(_ id: String) -> [String] {
        slurm("squeue", ["-h", "-r", "-t", "all", "-j", id, "-O", "State"]).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Ids of every job the controller still reports.
    func knownJobs() -> Set<String> {
        Set(slurm("squeue", ["-h", "-t", "all", "-o", "%F"]).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// The submission folders (slurm-XXXXXX) under `parent`.
    func submissions(_ parent: String) -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix("slurm-") }.map { "\(parent)/\($0)" })
    }

    func replicatesWithResults(_ submission: String) -> Set<Int> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: submission)) ?? []).compactMap {
            $0.hasPrefix("result_") && $0.hasSuffix(".outcomes") ? Int($0.dropFirst("result_".count).dropLast(".outcomes".count)) : nil
        })
    }

    func results(_ data: String, _ exp: String, _ conditions: [String]) -> [String: Data] {
        var out: [String: Data] = [:]
        for c in conditions { if let d = FileManager.default.contents(atPath: "\(data)/\(exp)/v0/\(c)/results.json") { out[c] = d } }
        return out
    }

    func crashConfig(_ name: String, mode: String, on: Int) {
        Harness.write("\(dir)/experiments/\(name)/config.yaml", """
        name: \(name)
        replicates: 4
        datasource: c_range
        steps:
          - c_add
          - step: c_crash
            params: {mode: \(mode), on_replicate: \(on)}
        execution: {strategy: slurm, poll_interval: 0.2}
        """)
    }

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

        // Every replicate really ran as an array task on the cluster.
        let subs = submissions("\(dir)/slurm/demo/v0/.work")
        XCTAssertEqual(subs.count, 1, "one job array per run")
        let sub = try XCTUnwrap(subs.first)
        XCTAssertEqual(Harness.read("\(sub)/replicates.txt"), "0\n1\n2\n3\n4\n5\n")
        let id = Harness.read("\(sub)/job_id").trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(id.isEmpty)
        for i in 0..<6 {
            XCTAssertTrue(Harness.read("\(sub)/task_\(i).log").contains("slurm task \(id)_\(i) runs replicate \(i)"), "task \(i) log: \(Harness.read("\(sub)/task_\(i).log"))")
        }
        XCTAssertEqual(taskStates(id).filter { $0 == "COMPLETED" }.count, 6, "\(taskStates(id))")
        let prov = Harness.json("\(dir)/slurm/demo/v0/provenance.json") as? [String: Any]
        XCTAssertEqual((prov?["execution"] as? [String: Any])?["strategy"] as? String, "slurm")
    }

    /// A task that dies becomes its replicate's error (state, exit code, log tail); the rest is kept.
    /// A step error inside a task comes back through the result file, exactly as in a serial run.
    func testFailingTasksBecomeTheirReplicatesErrors() throws {
        crashConfig("crash_exit", mode: "exit", on: 1)
        let r = Harness.run(slurmPlugins + ["run", "experiments/crash_exit"], in: dir, timeout: 300)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stdout.contains("replicate 1, baseline"), r.output)
        let base = try XCTUnwrap(Harness.json("\(dir)/data/crash_exit/v0/baseline/results.json") as? [String: Any])
        XCTAssertEqual(((base["metrics"] as? [String: Any])?["c_sum"] as? [Double])?.count, 3, "the other replicates' results are kept")
        let errors = try XCTUnwrap(base["errors"] as? [[String: Any]])
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?["replicate"] as? Int, 1)
        let message = try XCTUnwrap(errors.first?["message"] as? String, "\(errors)")
        XCTAssertTrue(message.range(of: #"slurm task \d+_1 FAILED \(exit code 3\)"#, options: .regularExpression) != nil, message)
        XCTAssertTrue(message.contains("runs replicate 1 on"), "the log tail is part of the error: \(message)")

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
        let (p, _, _) = Harness.start(slurmPlugins + ["run", "experiments/sleepy", "--quiet"], in: dir)
        var first: String? = nil
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, p.isRunning {
            if let s = submissions(shared).first, !replicatesWithResults(s).isEmpty { first = s; break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let sub = try XCTUnwrap(first, "no task finished within 120 s")
        let id = Harness.read("\(sub)/job_id").trimmingCharacters(in: .whitespacesAndNewlines)
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
        let submitted = Harness.read("\(second.first ?? "")/replicates.txt").split(separator: "\n").compactMap { Int($0) }
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
