import Foundation
import XCTest

/// The Swift SDK's codec, setup/teardown and plugin-wide init/shutdown builders, through
/// SDKTestPlugin's probes (which log "<event> <pid>" to SDK_STATE_LOG) and MySteps' examples.
final class SwiftSDKLifecycleTests: XCTestCase {
    let dir = Harness.temporaryDirectory("sdklife")
    var sdk: String { Harness.plugin("SDKTestPlugin") }

    func host(_ arguments: [String], _ environment: [String: String] = [:]) -> HostRun {
        Harness.run(["--plugin", Harness.plugin("MySteps"), "--plugin", sdk] + arguments, in: dir, environment: environment)
    }

    /// The events of the state log, by pid, in order.
    func events(_ log: String) -> [Int: [String]] {
        var byPid: [Int: [String]] = [:]
        for line in Harness.read(log).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let pid = Int(parts[1]) else { XCTFail("bad state log line '\(line)'"); continue }
            byPid[pid, default: []].append(String(parts[0]))
        }
        return byPid
    }

    func metric(_ experiment: String, _ condition: String, _ name: String, data: String = "data") -> [Double] {
        let results = Harness.json("\(dir)/\(data)/\(experiment)/v0/\(condition)/results.json") as? [String: Any]
        return (results?["metrics"] as? [String: Any])?[name] as? [Double] ?? []
    }

    func testInitSetupTeardownShutdownRunInOrderOncePerProcess() {
        Harness.write("\(dir)/experiments/lc/config.yaml", "name: lc\nreplicates: 6\ndatasource: sdk_state\nsteps: []\ntreatments:\n  t:\n    x: 1\n")
        let inspect = Harness.run(["inspect", sdk], in: dir)
        XCTAssertTrue(inspect.stdout.contains("  plugin-wide state: init + shutdown, once per process"), inspect.output)
        for (execution, workers) in [("serial", "1"), ("threads", "3"), ("processes", "2")] {
            let log = "\(dir)/state-\(execution).log"
            let r = host(["run", "experiments/lc", "--execution", execution, "--workers", workers, "--data-dir", execution], ["SDK_STATE_LOG": log])
            XCTAssertEqual(r.status, 0, "\(execution): \(r.output)")
            let byPid = events(log)
            let pids = Set(metric("lc", "baseline", "pid", data: execution) + metric("lc", "t", "pid", data: execution)).map { Int($0) }
            XCTAssertFalse(pids.isEmpty, r.output)
            for pid in pids {
                // A process that ran replicates ran init, then one setup, then teardown, then shutdown.
                XCTAssertEqual(byPid[pid], ["init", "setup", "teardown", "shutdown"], "\(execution): process \(pid)")
            }
            for (pid, e) in byPid where !pids.contains(pid) {
                XCTAssertEqual(e, ["init", "shutdown"], "\(execution): process \(pid) ran no step, so no setup")
            }
            XCTAssertEqual(Set(metric("lc", "baseline", "model", data: execution)), [42], "\(execution): the state init set")
            XCTAssertEqual(Set(metric("lc", "t", "setups", data: execution)), [1], "\(execution): setup ran once per run in each process")
            if execution == "processes" { XCTAssertGreaterThanOrEqual(pids.count, 2, "every replicate ran in one process: \(r.output)") }
            else { XCTAssertEqual(pids.count, 1, execution) }
        }
    }

    func testFailingSetupStopsTheRunAndAFailingTeardownWarns() {
        Harness.write("\(dir)/experiments/bad/config.yaml", "name: bad\nreplicates: 3\ndatasource:\n  sdk_state: {fail_setup: true}\nsteps: []\n")
        let bad = host(["run", "experiments/bad"])
        XCTAssertNotEqual(bad.status, 0, bad.output)
        XCTAssertTrue(bad.stderr.contains("sdk setup refused: fail_setup is set"), bad.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/data/bad/v0/baseline/results.json"), "a replicate ran after setup failed")

        Harness.write("\(dir)/experiments/late/config.yaml", "name: late\nreplicates: 3\ndatasource:\n  sdk_state: {fail_teardown: true}\nsteps: []\n")
        let late = host(["run", "experiments/late"])
        XCTAssertEqual(late.status, 0, late.output)
        XCTAssertTrue(late.stderr.contains("warning:") && late.stderr.contains("sdk teardown failed on purpose"), late.output)
        XCTAssertEqual(metric("late", "baseline", "model").count, 3, late.output)
    }

    func testFailingInitStopsTheRunNamingThePlugin() {
        Harness.write("\(dir)/experiments/lc/config.yaml", "name: lc\nreplicates: 2\ndatasource: sdk_state\nsteps: []\n")
        let r = host(["run", "experiments/lc"], ["SDK_INIT_FAIL": "1"])
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("plugin \(sdk): plugin-wide init failed (status 1): sdk init refused: SDK_INIT_FAIL is set"), r.output)
    }

    func testSwiftCodecWritesAndReadsAnOutputAndReportsBadInput() {
        Harness.write("\(dir)/experiments/writer/config.yaml", """
        name: writer
        replicates: 2
        datasource: sdk_state
        steps:
          - sdk_write: {text: hello}
        outputs:
          note: {file_name: note.txt, codec: sdk_tagged}
        """)
        Harness.write("\(dir)/experiments/reader/config.yaml", """
        name: reader
        replicates: 2
        datasource:
          up: writer#note
        steps:
          - sdk_read: {expect: hello}
        """)
        let r = host(["run", "experiments/reader"])
        XCTAssertEqual(r.status, 0, r.output)
        let file = "\(dir)/data/writer/v0/replicate_1/baseline/sdk_write/note.txt"
        XCTAssertEqual(Harness.read(file), "SDK:hello r1", "written through the Swift encoder")
        XCTAssertEqual(metric("reader", "baseline", "matches"), [1, 1], "read back through the Swift decoder, tag dropped")
        let inspect = Harness.run(["inspect", sdk], in: dir)
        XCTAssertTrue(inspect.stdout.contains("  sdk_tagged [encode, decode] — Strings written as 'SDK:' + text"), inspect.output)

        // A file the decoder refuses: the read fails with its message and the file's name.
        try! "garbage".write(toFile: file, atomically: true, encoding: .utf8)
        Harness.write("\(dir)/experiments/reader2/config.yaml", "name: reader2\nreplicates: 2\ndatasource:\n  up: writer#note\nsteps: [sdk_read]\n")
        let corrupt = host(["run", "experiments/reader2", "--strategy", "resume"])  // resume: the writer's run is loaded, not redone
        XCTAssertNotEqual(corrupt.status, 0, corrupt.output)
        XCTAssertTrue(corrupt.output.contains("not an sdk_tagged file (no SDK: tag)") && corrupt.output.contains("note.txt"), corrupt.output)

        // A value the encoder refuses (the f64 array itself): the step fails with its message.
        Harness.write("\(dir)/experiments/wrong/config.yaml", """
        name: wrong
        datasource: sdk_state
        steps:
          - sdk_write: {text: ""}
        outputs:
          note: {file_name: note.txt, codec: sdk_tagged}
        """)
        let wrong = host(["run", "experiments/wrong"])
        XCTAssertNotEqual(wrong.status, 0, wrong.output)
        XCTAssertTrue(wrong.output.contains("sdk_tagged writes strings only, got f64[]"), wrong.output)
    }
}
