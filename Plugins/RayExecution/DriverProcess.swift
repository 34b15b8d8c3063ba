#if canImport(Glibc)
import Glibc
#endif
import ChildProcesses
import Crystallize
import Foundation
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The running driver, started through swift-subprocess (`BackgroundCommand`): its JSON
/// lines on stdout are parsed as they come, so the strategy's loop never blocks on the pipe;
/// its stderr is driver.log itself (the file is its stderr, nothing is copied through the host).
final class DriverProcess {
    let process: BackgroundCommand
    let logPath: String
    private let lines = DriverLines()

    init(python: String, script: String, job: String, directory: String) throws {
        logPath = "\(directory)/driver.log"
        let executable = python.contains("/") ? python : (Self.which(python) ?? python)
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PluginFailure("ray: the Python interpreter '\(python)' (parameter python) is not an executable file or on PATH; name one with ray installed, e.g. python: /opt/venv/bin/python")
        }
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw PluginFailure("ray: cannot write \(logPath): \(String(cString: strerror(errno)))") }
        let sink = lines
        // The driver writes the file itself (its own copy of the descriptor); ours is not needed past the start.
        defer { close(log) }
        do {
            process = try BackgroundCommand(Command(executable, [script, job], directory: directory), stderrTo: FileDescriptor(rawValue: log),
                                            onStdout: { sink.append($0) })
        } catch {
            throw PluginFailure("ray: cannot start \(executable) \(script): \(error)")
        }
        let p = process
        Thread { p.waitUntilExit(); sink.finish() }.start()
    }

    /// The lines read since the last call, and whether the driver's stdout has ended.
    func take() -> (lines: [[String: Any]], ended: Bool) { lines.take() }

    /// Asks the driver to cancel its Ray tasks (it exits once they stopped). SIGTERM, not
    /// SIGINT: the host ignores SIGINT, and children inherit that.
    func interrupt() { process.terminate() }

    /// `name` on PATH.
    static func which(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// The driver's stdout, split into JSON objects as it arrives.
final class DriverLines: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var lines: [[String: Any]] = []
    private var eof = false

    func append(_ chunk: [UInt8]) {
        lock.lock(); defer { lock.unlock() }
        buffer.append(contentsOf: chunk)
        while let nl = buffer.firstIndex(of: 10) {
            let line = buffer[buffer.startIndex..<nl]
            if let obj = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] { lines.append(obj) }
            buffer = Data(buffer[buffer.index(after: nl)...])
        }
    }

    func finish() { lock.lock(); eof = true; lock.unlock() }

    func take() -> (lines: [[String: Any]], ended: Bool) {
        lock.lock(); defer { lock.unlock() }
        let l = lines; lines = []
        return (l, eof)
    }
}
