#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How one external command (sbatch, squeue, scancel, scontrol) ended.
struct CommandResult {
    /// The exit status, or -1 when the command could not start or was stopped for taking too long.
    var status: Int32
    /// Everything it printed on stdout.
    var stdout: String
    /// Everything it printed on stderr.
    var stderr: String
    /// Whether it was stopped after its time limit.
    var timedOut = false

    /// stderr, else stdout, trimmed: what to quote in an error message.
    var diagnostic: String {
        let e = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return e.isEmpty ? stdout.trimmingCharacters(in: .whitespacesAndNewlines) : e
    }
}

/// Runs the Slurm client commands, found on PATH once, with a time limit each.
struct Commands {
    /// Absolute paths of the commands found, by name.
    let paths: [String: String]

    /// Finds `names` on PATH; `missing` lists the ones that are not there.
    static func locate(_ names: [String]) -> (found: Commands, missing: [String]) {
        let dirs = searchPath
        var paths: [String: String] = [:]
        var missing: [String] = []
        for n in names {
            if let d = dirs.first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(n)") }) { paths[n] = "\(d)/\(n)" } else { missing.append(n) }
        }
        return (Commands(paths: paths), missing)
    }

    /// The PATH folders, in order.
    static var searchPath: [String] {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }

    /// Runs `name` with `arguments`; waits at most `timeout` seconds, then kills it.
    func run(_ name: String, _ arguments: [String], timeout: TimeInterval) -> CommandResult {
        guard let path = paths[name] else { return CommandResult(status: -1, stdout: "", stderr: "\(name) is not on PATH") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return CommandResult(status: -1, stdout: "", stderr: "cannot start \(path): \(error)") }
        // Drain both pipes at once so a chatty command never blocks on a full pipe.
        final class Sink: @unchecked Sendable { var data = Data() }
        let o = Sink(), e = Sink()
        let group = DispatchGroup()
        group.enter(); DispatchQueue.global().async { o.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { e.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        var timedOut = false
        if group.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            p.terminate()
            if group.wait(timeout: .now() + 5) == .timedOut { kill(p.processIdentifier, SIGKILL); group.wait() }
        }
        p.waitUntilExit()
        return CommandResult(status: timedOut ? -1 : p.terminationStatus, stdout: String(decoding: o.data, as: UTF8.self),
                             stderr: String(decoding: e.data, as: UTF8.self), timedOut: timedOut)
    }
}

/// POSIX shell quoting.
enum Shell {
    /// `s` as one single-quoted shell word.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// One shell word for `argument` in which every `placeholder` becomes a double-quoted
    /// expansion of `variable` and everything else is quoted literally.
    static func word(_ argument: String, placeholder: String, variable: String) -> String {
        let pieces = argument.components(separatedBy: placeholder)
        if pieces.count == 1 { return quote(argument) }
        return pieces.enumerated().map { i, piece in (i == 0 ? "" : "\"$\(variable)\"") + (piece.isEmpty ? "" : quote(piece)) }.joined()
    }
}
