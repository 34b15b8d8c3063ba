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
        first(timeout: timeout, failure: { "timed out after \(Int(timeout)) s waiting for \(what)" }, file: file, line: line) { condition() ? true : nil } ?? false
    }

    /// The first value `produce` gives (checked every `interval` microseconds); after `timeout`
    /// seconds, nil, and the test fails with `failure()` unless it is nil (then the caller decides).
    static func first<T>(timeout: TimeInterval = 120, every interval: useconds_t = 10_000, failure: (() -> String)?,
                         file: StaticString = #filePath, line: UInt = #line, _ produce: () -> T?) -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let v = produce() { return v }
            usleep(interval)
        }
        if let failure { XCTFail(failure(), file: file, line: line) }
        return nil
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
