import ChildProcesses
import Foundation
import XCTest

/// Waiting for a condition without depending on timing: check it often, give up only after a
/// generous timeout (a slow, shared machine passes; a hang fails with a message).
enum Poll {
    /// Returns once `condition` holds, or fails the test after `timeout` seconds.
    @discardableResult
    static func until(_ what: String, timeout: TimeInterval = 120, file: StaticString = #filePath, line: UInt = #line,
                      _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        XCTFail("timed out after \(Int(timeout)) s waiting for \(what)", file: file, line: line)
        return false
    }
}

/// A host process started in the background whose output is collected as it comes, so a
/// test can wait for a line on stderr and read everything once it has exited.
final class BackgroundHost: @unchecked Sendable {
    let process: BackgroundCommand

    init(_ arguments: [String], in directory: String, environment: [String: String] = [:]) {
        process = Harness.start(arguments, in: directory, environment: environment)
    }

    /// The process id.
    var pid: Int32 { process.processIdentifier }
    /// stderr so far.
    var stderr: String { process.stderr }
    /// stdout so far.
    var stdout: String { process.stdout }

    /// Waits for the process to exit (killing it after `timeout` seconds) and returns what it did.
    func finish(timeout: TimeInterval = 120) -> HostRun {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.signal(SIGKILL) }
        let r = process.wait()
        return HostRun(status: r.signal ?? r.status, stdout: r.stdout, stderr: r.stderr)
    }
}
