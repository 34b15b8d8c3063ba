import Foundation
import Subprocess
#if canImport(Glibc)
import Glibc
#endif
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A command started without waiting for it (through swift-subprocess, like `Command.run`):
/// its output is collected as it comes, it can be signalled while it runs, and waited for.
/// For callers that hold a process across synchronous code: a test that interrupts a run
/// midway, a plugin's long-lived driver.
public final class BackgroundCommand: @unchecked Sendable {
    /// The process id; written once by the starting task before `init` returns (init waits for
    /// it), read only after.
    public private(set) var processIdentifier: Int32 = 0
    // Guarded by `lock`.
    private let lock = NSLock()
    private var out: [UInt8] = [], err: [UInt8] = []
    private var ended: CommandResult?
    private var finished = false  // its streams ended: it is about to be reaped
    private let exited = DispatchSemaphore(value: 0)
    private let onStdout: (@Sendable ([UInt8]) -> Void)?

    /// Starts `command` (its `timeout` is ignored: stop it with `signal`). Each chunk of
    /// stdout also goes to `onStdout`, on the executor's thread, when given (so it must not
    /// wait for another command: that thread is the one the wait would need). `stderrTo` is
    /// handed to the child as its stderr (the host neither copies it nor waits for it to
    /// close, so a daemon the child leaves behind holding it does not delay the end); the
    /// caller still owns the descriptor. Throws when the process cannot start.
    public init(_ command: Command, stdin: FileDescriptor? = nil, stderrTo: FileDescriptor? = nil,
                onStdout: (@Sendable ([UInt8]) -> Void)? = nil) throws {
        self.onStdout = onStdout
        let started = DispatchSemaphore(value: 0)
        // Written by the starting task before it signals `started`, read after init waits on it.
        final class Failure: @unchecked Sendable { var error: Error? }
        let failure = Failure()
        let exe = command.executableForSubprocess, env = command.environmentForSubprocess
        let directory = command.directory.map { FilePath($0) }
        let input: FileDescriptorInput = .fileDescriptor(try stdin ?? FileDescriptor.open("/dev/null", .readOnly), closeAfterSpawningProcess: stdin == nil)
        Task(executorPreference: ThreadPoolExecutor.subprocessWaits) {
            do {
                let status: TerminationStatus
                if let stderrTo {
                    status = try await Subprocess.run(exe, arguments: Arguments(command.arguments), environment: env, workingDirectory: directory,
                                                      input: input, output: .sequence, error: .fileDescriptor(stderrTo, closeAfterSpawningProcess: false)) { execution in
                        await self.follow(execution.processIdentifier.value, started: started, stdout: execution.standardOutput, stderr: nil)
                    }.terminationStatus
                } else {
                    status = try await Subprocess.run(exe, arguments: Arguments(command.arguments), environment: env, workingDirectory: directory,
                                                      input: input, output: .sequence, error: .sequence) { execution in
                        await self.follow(execution.processIdentifier.value, started: started, stdout: execution.standardOutput, stderr: execution.standardError)
                    }.terminationStatus
                }
                var result = self.lock.withLock { CommandResult(status: -1, signal: nil, stdout: String(decoding: self.out, as: UTF8.self),
                                                                stderr: String(decoding: self.err, as: UTF8.self), processIdentifier: self.processIdentifier) }
                Command.ending(status, into: &result)
                self.lock.withLock { self.ended = result }
            } catch {
                failure.error = error
                self.lock.withLock { self.finished = true; self.ended = .notStarted("cannot run \(command.executable): \(error)") }
                started.signal()
            }
            self.exited.signal()
        }
        started.wait()
        if let e = failure.error { throw e }
    }

    /// The body of a run: publishes the pid, collects the output streams until they end.
    private func follow(_ pid: Int32, started: DispatchSemaphore, stdout: SubprocessOutputSequence, stderr: SubprocessOutputSequence?) async {
        processIdentifier = pid
        started.signal()
        await withTaskGroup(of: Void.self) { group in
            // A read error ends the stream like its end does: the process is gone or going.
            group.addTask { try? await self.drain(stdout) { self.append($0, error: false) } }
            if let stderr { group.addTask { try? await self.drain(stderr) { self.append($0, error: true) } } }
        }
        // Leaving `run` reaps the process: from here on its pid may be reused.
        lock.withLock { finished = true }
    }

    private func drain(_ stream: SubprocessOutputSequence, _ each: (SubprocessOutputSequence.Buffer) -> Void) async throws {
        for try await chunk in stream { each(chunk) }
    }

    private func append(_ chunk: SubprocessOutputSequence.Buffer, error: Bool) {
        let bytes = chunk.withUnsafeBytes { Array($0) }
        lock.withLock { if error { err.append(contentsOf: bytes) } else { out.append(contentsOf: bytes) } }
        if !error { onStdout?(bytes) }
    }

    /// stdout so far.
    public var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    /// stderr so far (empty when it goes to a file).
    public var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
    /// Whether it has not ended yet: true until its output streams end (at its exit, unless
    /// it closed both before).
    public var isRunning: Bool { lock.withLock { !finished } }

    /// Sends `signal` while the process is there (never to a pid that may have been reused).
    public func signal(_ signal: Int32) {
        lock.withLock { if !finished { _ = kill(processIdentifier, signal) } }
    }
    /// SIGTERM.
    public func terminate() { signal(SIGTERM) }

    /// Waits for it to end; how it ended and everything it printed.
    @discardableResult
    public func wait() -> CommandResult {
        exited.wait()
        exited.signal()  // later calls return at once
        return lock.withLock { ended! }
    }
    /// `wait()`, with Foundation.Process's name.
    public func waitUntilExit() { wait() }
    /// The exit status, or the signal number when a signal ended it (as Foundation.Process says).
    public var terminationStatus: Int32 { let r = wait(); return r.signal ?? r.status }
}
