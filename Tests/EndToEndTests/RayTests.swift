import ChildProcesses
import Foundation
import XCTest

/// The RayExecution plugin against a real Ray head on loopback (scripts/ray-local.sh; CI's
/// .ci/setup.d/40-ray.sh starts it and exports RAY_ADDRESS and CRYSTALLIZE_RAY_PYTHON).
final class RayTests: XCTestCase {
    var dir = ""
    var python = ""
    var plugins: [String] { ["--plugin", Harness.plugin("CTestPlugin"), "--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("RayExecution")] }

    override func setUpWithError() throws {
        let env = ProcessInfo.processInfo.environment
        guard let py = env["CRYSTALLIZE_RAY_PYTHON"], !py.isEmpty, env["RAY_ADDRESS"]?.isEmpty == false else {
            throw XCTSkip("needs a Ray head: eval \"$(scripts/ray-local.sh start)\" (exports RAY_ADDRESS and CRYSTALLIZE_RAY_PYTHON)")
        }
        python = py
        dir = Harness.temporaryDirectory("ray")
    }

    func rayFolders(_ exp: String) -> [String] {
        let work = "\(dir)/data/\(exp)/v0/.work"
        return ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).filter { $0.hasPrefix("ray-") }.sorted().map { "\(work)/\($0)" }
    }

    func results(_ data: String, _ exp: String, _ conditions: [String]) -> [String: Data] {
        var out: [String: Data] = [:]
        for c in conditions { if let d = FileManager.default.contents(atPath: "\(data)/\(exp)/v0/\(c)/results.json") { out[c] = d } }
        return out
    }

    func config(_ name: String, steps: String, replicates: Int = 4, execution: String) {
        Harness.write("\(dir)/experiments/\(name)/config.yaml", """
        name: \(name)
        replicates: \(replicates)
        datasource: c_range
        steps:
        \(steps)
        execution: {strategy: ray, python: \(python), poll_interval: 0.1\(execution)}
        """)
    }

    /// The demo as Ray tasks: byte-identical to serial; the batch choice is said; runtime_env reaches the tasks.
    func testDemoAsRayTasksMatchesSerialByteForByte() throws {
        let demo = Harness.repoRoot.appendingPathComponent("experiments/demo/config.yaml").path
        let text = try String(contentsOfFile: demo, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("execution") }.joined(separator: "\n")
        Harness.write("\(dir)/experiments/demo/config.yaml", text + "\nexecution: {strategy: ray, python: \(python), num_cpus: 1, runtime_env: '{\"env_vars\": {\"CRYS_RAY_MARK\": \"hello\"}}'}\n")
        let serial = Harness.run(plugins + ["run", "experiments/demo", "--execution", "serial", "--data-dir", "serial", "--replicates", "6", "--seed", "7", "--quiet"], in: dir)
        XCTAssertEqual(serial.status, 0, serial.output)
        let onRay = Harness.run(plugins + ["run", "experiments/demo", "--replicates", "6", "--seed", "7", "--quiet"], in: dir, timeout: 300)
        XCTAssertEqual(onRay.status, 0, onRay.output)
        let expected = results("\(dir)/serial", "demo", ["baseline", "add_ten"])
        XCTAssertEqual(expected.count, 2)
        XCTAssertEqual(results("\(dir)/data", "demo", ["baseline", "add_ten"]), expected, "results.json differs between serial and ray")
        XCTAssertTrue(onRay.stderr.contains("ray: connected to"), onRay.output)
        XCTAssertTrue(onRay.stderr.contains("replicates_per_task chosen from"), onRay.output)
        let folder = try XCTUnwrap(rayFolders("demo").first)
        let log = Harness.read("\(folder)/ray-task_0.log")
        XCTAssertTrue(log.contains("env CRYS_RAY_MARK=hello"), "runtime_env's env_vars reach the task: \(log)")
        XCTAssertTrue(log.contains("crystallize: replicate 0 finished in"), log)
        let prov = try XCTUnwrap(Harness.json("\(dir)/data/demo/v0/provenance.json") as? [String: Any])
        XCTAssertEqual((prov["execution"] as? [String: Any])?["strategy"] as? String, "ray")
        XCTAssertTrue(((prov["logs"] as? [String: [String]])?["0"] ?? []).contains("logs/attempts/ray-task_0.log"), "\(prov["logs"] ?? "none")")
    }

    /// A task whose worker dies fails its replicate with a message naming the Ray task; the rest is kept.
    func testAFailingTaskIsNamedInItsReplicatesError() throws {
        config("crash", steps: "  - c_add\n  - step: c_crash\n    params: {mode: exit, on_replicate: 1}", execution: ", replicates_per_task: 1")
        let r = Harness.run(plugins + ["run", "experiments/crash"], in: dir, timeout: 300)
        XCTAssertEqual(r.status, 1, r.output)
        let base = try XCTUnwrap(Harness.json("\(dir)/data/crash/v0/baseline/results.json") as? [String: Any])
        XCTAssertEqual(((base["metrics"] as? [String: Any])?["c_sum"] as? [Double])?.count, 3)
        let errors = try XCTUnwrap(base["errors"] as? [[String: Any]])
        XCTAssertEqual(errors.map { $0["replicate"] as? Int }, [1])
        let message = errors.first?["message"] as? String ?? ""
        XCTAssertTrue(message.contains("ray task 1 (task id ") && message.contains("exit code 3"), message)
        XCTAssertTrue(message.contains("runs replicates 1"), "the task's log tail is in the error: \(message)")
    }

    /// Ctrl-C cancels the Ray tasks (their worker processes stop); resume runs only what is missing.
    func testInterruptCancelsRayTasksAndResumeRunsTheRest() throws {
        config("sleepy", steps: "  - step: c_sleep\n    params: {ms: 2500}\n  - c_add", execution: ", replicates_per_task: 1, num_cpus: 1")
        let p = Harness.start(plugins + ["run", "experiments/sleepy", "--quiet"], in: dir)
        let deadline = Date().addingTimeInterval(180)
        func done() -> Set<Int> {
            Set(rayFolders("sleepy").flatMap { f in ((try? FileManager.default.contentsOfDirectory(atPath: f)) ?? []).compactMap {
                $0.hasPrefix("result_") && $0.hasSuffix(".outcomes") ? Int($0.dropFirst(7).dropLast(9)) : nil } })
        }
        while Date() < deadline, p.isRunning, done().isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertFalse(done().isEmpty, "no replicate finished within 180 s")
        kill(p.processIdentifier, SIGINT)
        let exitDeadline = Date().addingTimeInterval(60)
        while p.isRunning, Date() < exitDeadline { Thread.sleep(forTimeInterval: 0.1) }
        if p.isRunning { p.terminate(); XCTFail("the host did not stop within 60 s of Ctrl-C") }
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
        // The cancelled tasks' worker processes are gone.
        var left = ""
        let gone = Date().addingTimeInterval(30)
        repeat {
            left = Command("pgrep", ["-f", "\(dir)/data/sleepy/v0/.work/request.json"]).runBlocking().stdout
            if left.isEmpty { break }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < gone
        XCTAssertTrue(left.isEmpty, "worker processes of cancelled Ray tasks still run: \(left)")
        let finished = done()
        XCTAssertLessThan(finished.count, 4, "the interrupt came too late to test anything")

        let before = Set(rayFolders("sleepy"))
        let resumed = Harness.run(plugins + ["run", "experiments/sleepy", "--strategy", "resume", "--quiet"], in: dir, timeout: 300)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        let second = try XCTUnwrap(Set(rayFolders("sleepy")).subtracting(before).first)
        let job = try XCTUnwrap(Harness.json("\(second)/job.json") as? [String: Any])
        XCTAssertEqual((job["batches"] as? [[Int]])?.flatMap { $0 }, (0..<4).filter { !finished.contains($0) }, "resume submits only what is missing")
        let base = Harness.json("\(dir)/data/sleepy/v0/baseline/results.json") as? [String: Any]
        XCTAssertEqual(((base?["metrics"] as? [String: Any])?["c_sum"] as? [Double])?.count, 4)
    }

    /// A bad interpreter is a clear error before anything runs; --detach is refused.
    func testBadPythonAndDetachAreClearErrors() throws {
        config("bad", steps: "  - c_add", execution: "")
        let text = Harness.read("\(dir)/experiments/bad/config.yaml").replacingOccurrences(of: "python: \(python)", with: "python: /nonexistent/python3")
        Harness.write("\(dir)/experiments/bad/config.yaml", text)
        let r = Harness.run(plugins + ["run", "experiments/bad"], in: dir)
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("ray: the Python interpreter '/nonexistent/python3'"), r.output)
        config("det", steps: "  - c_add", execution: "")
        let d = Harness.run(plugins + ["run", "experiments/det", "--detach"], in: dir)
        XCTAssertNotEqual(d.status, 0, d.output)
        XCTAssertTrue(d.stderr.contains("--detach is not supported by the ray strategy"), d.output)
    }
}
