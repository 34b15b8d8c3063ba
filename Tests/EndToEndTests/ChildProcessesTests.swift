import ChildProcesses
import Foundation
#if canImport(System)
import System
#else
import SystemPackage
#endif
import XCTest

/// The one way the package starts processes (swift-subprocess behind `Command` and
/// `BackgroundCommand`): output, exit codes, signals, time limits, start failures, and a
/// grandchild holding the pipes open.
final class ChildProcessesTests: XCTestCase {
    func testOutputStatusAndSignalAreReported() {
        let r = Command("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], environment: ["X_CHILD": "seen"]).runBlocking()
        XCTAssertEqual(r.status, 3)
        XCTAssertNil(r.signal)
        XCTAssertEqual(r.stdout, "out\n")
        XCTAssertEqual(r.stderr, "err\n")
        XCTAssertNotNil(r.processIdentifier)
        XCTAssertEqual(Command("/bin/sh", ["-c", "printf %s \"$X_CHILD\""], environment: ["X_CHILD": "seen"]).runBlocking().stdout, "seen")
        XCTAssertEqual(Command("pwd", [], directory: "/tmp").runBlocking().stdout, "/tmp\n", "found on PATH, run in its folder")
        let killed = Command("/bin/sh", ["-c", "kill -9 $$"]).runBlocking()
        XCTAssertEqual(killed.signal, SIGKILL, "\(killed)")
        XCTAssertEqual(killed.status, -1)
    }

    func testAMissingExecutableIsAnErrorNamingIt() {
        let r = Command("/no/such/tool", ["x"]).runBlocking()
        XCTAssertEqual(r.status, -1)
        XCTAssertTrue(r.stderr.contains("cannot run /no/such/tool"), r.stderr)
        XCTAssertThrowsError(try BackgroundCommand(Command("/no/such/tool", [])))
    }

    func testTimeLimitStopsTheCommand() {
        let started = Date()
        let r = Command("/bin/sleep", ["600"], timeout: 0.5).runBlocking()
        XCTAssertTrue(r.timedOut, "\(r)")
        XCTAssertEqual(r.status, -1)
        XCTAssertTrue(r.stderr.contains("took longer than 0.5 s"), r.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 300, "stopped, not waited for")
    }

    func testAGrandchildHoldingThePipesDoesNotKeepTheCallerWaiting() throws {
        // The shell exits at once; the sleep it left behind keeps stdout and stderr open.
        let started = Date()
        let r = Command("/bin/sh", ["-c", "sleep 600 & echo $!"]).runBlocking()
        XCTAssertEqual(r.status, 0)
        XCTAssertLessThan(Date().timeIntervalSince(started), 300)
        let sleeper = try XCTUnwrap(Int32(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), r.stdout)
        XCTAssertEqual(kill(sleeper, 0), 0, "the grandchild still runs, holding the pipes")
        kill(sleeper, SIGKILL)
    }

    func testABackgroundCommandsStderrFileIsTheChildsOwn() throws {
        // The shell exits at once; the sleep it leaves behind holds its stderr, a file: the end
        // is the shell's exit, not the sleeper's, and nothing passes through the host.
        let path = NSTemporaryDirectory() + "bg-stderr-\(UUID().uuidString).log"
        let fd = try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
        defer { try? fd.close(); try? FileManager.default.removeItem(atPath: path) }
        let p = try BackgroundCommand(Command("/bin/sh", ["-c", "echo to-the-file >&2; sleep 600 >/dev/null & echo $!"]), stderrTo: fd)
        let ended = DispatchSemaphore(value: 0)
        Thread { p.wait(); ended.signal() }.start()
        XCTAssertEqual(ended.wait(timeout: .now() + 120), .success, "the end waited for the sleeper holding stderr")
        let r = p.wait()
        let sleeper = Int32(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        if let sleeper { kill(sleeper, SIGKILL) }
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertNotNil(sleeper, r.stdout)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "to-the-file\n")
        XCTAssertEqual(p.stderr, "", "nothing was copied through the host")
    }

    func testABackgroundCommandStreamsIsSignalledAndWaitedFor() throws {
        let p = try BackgroundCommand(Command("/bin/sh", ["-c", "echo ready; exec sleep 600"]))
        Poll.until("its first line") { p.stdout == "ready\n" }
        XCTAssertTrue(p.isRunning)
        XCTAssertGreaterThan(p.processIdentifier, 0)
        p.terminate()
        let r = p.wait()
        XCTAssertEqual(r.signal, SIGTERM, "\(r)")
        XCTAssertEqual(p.terminationStatus, SIGTERM, "as Foundation.Process reports it")
        XCTAssertFalse(p.isRunning)
        XCTAssertEqual(r.stdout, "ready\n")
        p.signal(SIGKILL)  // after the end: reaches nobody, reused pids included
    }
}
