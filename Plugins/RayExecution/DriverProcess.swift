#if canImport(Glibc)
import Glibc
#endif
import Crystallize
import Foundation

/// The running driver: its JSON lines on stdout are collected by a thread of their own, so
/// the strategy's loop never blocks on the pipe; its stderr goes to driver.log.
final class DriverProcess {
    let process = Process()
    let logPath: String
    private let lock = NSLock()
    private var lines: [[String: Any]] = []
    private var eof = false

    init(python: String, script: String, job: String, directory: String) throws {
        logPath = "\(directory)/driver.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let executable = python.contains("/") ? python : (Self.which(python) ?? python)
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PluginFailure("ray: the Python interpreter '\(python)' (parameter python) is not an executable file or on PATH; name one with ray installed, e.g. python: /opt/venv/bin/python")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [script, job]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw PluginFailure("ray: cannot start \(executable) \(script): \(error)") }
        let handle = out.fileHandleForReading
        Thread { [self] in
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let nl = buffer.firstIndex(of: 10) {
                    let line = buffer[buffer.startIndex..<nl]
                    buffer = Data(buffer[buffer.index(after: nl)...])
                    if let obj = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] { lock.lock(); lines.append(obj); lock.unlock() }
                }
            }
            lock.lock(); eof = true; lock.unlock()
        }.start()
    }

    /// The lines read since the last call, and whether the driver's stdout has ended.
    func take() -> (lines: [[String: Any]], ended: Bool) {
        lock.lock(); defer { lock.unlock() }
        let l = lines; lines = []
        return (l, eof)
    }

    /// Asks the driver to cancel its Ray tasks (it exits once they stopped). SIGTERM, not
    /// SIGINT: the host ignores SIGINT, and children inherit that.
    func interrupt() { if process.isRunning { kill(process.processIdentifier, SIGTERM) } }

    /// `name` on PATH.
    static func which(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
