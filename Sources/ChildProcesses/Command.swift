import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// How a command ended and what it printed.
public struct CommandResult: Sendable {
    /// The exit status; -1 when the command could not start, was stopped for taking too long,
    /// or was killed by a signal (then `signal` says which).
    public var status: Int32
    /// The signal that ended it, if one did.
    public var signal: Int32?
    /// Everything it printed on stdout.
    public var stdout: String
    /// Everything it printed on stderr.
    public var stderr: String
    /// Whether it was stopped after its time limit.
    public var timedOut = false
    /// Its process id (nil when it never started); the process is gone, the id may be reused.
    public var processIdentifier: Int32?

    /// A result for a command that never ran.
    public static func notStarted(_ message: String) -> CommandResult { CommandResult(status: -1, signal: nil, stdout: "", stderr: message) }

    /// How it ended, for a message: "exit 3", "signal 9", "timed out" or "not started".
    public var ending: String {
        if timedOut { return "timed out" }
        if let signal { return "signal \(signal)" }
        return processIdentifier == nil && status == -1 ? "not started" : "exit \(status)"
    }

    /// stderr, else stdout, trimmed: what to quote in an error message.
    public var diagnostic: String {
        let e = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return e.isEmpty ? stdout.trimmingCharacters(in: .whitespacesAndNewlines) : e
    }
}

/// One external command, run through swift-subprocess: the one way this package starts a
/// process (git, the Slurm client, the run screen's editor, the host in tests; see also
/// `BackgroundCommand`, and the processes strategy, which starts its workers directly).
public struct Command: Sendable {
    /// An absolute path, or a name looked up on PATH.
    public var executable: String
    /// Its arguments (argv[1...]).
    public var arguments: [String]
    /// Variables set on top of the inherited environment (nil values unset one).
    public var environment: [String: String?] = [:]
    /// The working directory (nil: this process's).
    public var directory: String?
    /// Stops it after this many seconds: SIGTERM, then SIGKILL 5 s later if it is still there.
    public var timeout: TimeInterval?
    /// Each stream is kept up to this many bytes; more is an error (the command's output
    /// is bounded in every use: git status, Slurm listings, a host's summary).
    public var outputLimit = 64 << 20

    /// `executable` with `arguments`.
    public init(_ executable: String, _ arguments: [String], environment: [String: String?] = [:], directory: String? = nil, timeout: TimeInterval? = nil) {
        self.executable = executable; self.arguments = arguments; self.environment = environment
        self.directory = directory; self.timeout = timeout
    }

    var executableForSubprocess: Executable { executable.contains("/") ? .path(FilePath(executable)) : .name(executable) }
    var environmentForSubprocess: Environment {
        .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
    }

    static func ending(_ status: TerminationStatus, into result: inout CommandResult) {
        switch status {
        case .exited(let code): result.status = code
        case .signaled(let s): result.signal = s
        }
    }

    /// Runs it with stdin at /dev/null and collects both streams.
    public func run() async -> CommandResult {
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(5))]
        let launch = { () async throws -> CommandResult in
            let r = try await Subprocess.run(executableForSubprocess, arguments: Arguments(arguments), environment: environmentForSubprocess,
                                             workingDirectory: directory.map { FilePath($0) }, platformOptions: options,
                                             input: .none, output: .string(limit: outputLimit), error: .string(limit: outputLimit))
            var result = CommandResult(status: -1, signal: nil, stdout: r.standardOutput, stderr: r.standardError, processIdentifier: r.processIdentifier.value)
            Self.ending(r.terminationStatus, into: &result)
            return result
        }
        guard let timeout else {
            do { return try await launch() } catch { return .notStarted("cannot run \(executable): \(error)") }
        }
        // Whichever finishes first: the command, or its time limit (cancelling the command's
        // task makes swift-subprocess run the teardown sequence).
        return await withTaskGroup(of: CommandResult?.self) { group in
            group.addTask { do { return try await launch() } catch { return Task.isCancelled ? nil : .notStarted("cannot run \(executable): \(error)") } }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            _ = await group.next()
            return CommandResult(status: -1, signal: nil, stdout: "", stderr: "\(executable) took longer than \(timeout) s and was stopped", timedOut: true)
        }
    }

    /// Runs it on this process's own stdin, stdout and stderr (an editor on the terminal);
    /// nothing is collected, and `timeout` does not apply.
    public func runAttached() async -> CommandResult {
        do {
            let r = try await Subprocess.run(executableForSubprocess, arguments: Arguments(arguments), environment: environmentForSubprocess,
                                             workingDirectory: directory.map { FilePath($0) },
                                             input: .currentStandardInput, output: .currentStandardOutput, error: .currentStandardError)
            var result = CommandResult(status: -1, signal: nil, stdout: "", stderr: "", processIdentifier: r.processIdentifier.value)
            Self.ending(r.terminationStatus, into: &result)
            return result
        } catch { return .notStarted("cannot run \(executable): \(error)") }
    }

    /// `runAttached()`, waited for on this thread.
    public func runAttachedBlocking() -> CommandResult { Self.wait { await self.runAttached() } }

    /// `run()`, waited for on this thread (the work runs on `ThreadPoolExecutor.subprocessWaits`).
    public func runBlocking() -> CommandResult { Self.wait { await self.run() } }

    private static func wait(_ work: @escaping @Sendable () async -> CommandResult) -> CommandResult {
        // Waiting on the executor's own thread would wait for itself.
        precondition(Thread.current.name != ThreadPoolExecutor.subprocessWaitsName, "Command.runBlocking called on the thread it waits for (an onStdout callback?)")
        // Written by the task before it signals `done`, read after the wait.
        final class Box: @unchecked Sendable { var result: CommandResult? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        Task(executorPreference: ThreadPoolExecutor.subprocessWaits) {
            box.result = await work()
            done.signal()
        }
        done.wait()
        return box.result!
    }
}
