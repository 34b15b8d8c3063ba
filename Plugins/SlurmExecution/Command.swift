import ChildProcesses
import Foundation

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

    /// Runs `name` with `arguments`; waits at most `timeout` seconds, then stops it (SIGTERM,
    /// SIGKILL 5 s later). Called from the strategy's own thread, so waiting blocks no pool thread.
    func run(_ name: String, _ arguments: [String], timeout: TimeInterval) -> CommandResult {
        guard let path = paths[name] else { return .notStarted("\(name) is not on PATH") }
        return ChildProcesses.Command(path, arguments, timeout: timeout).runBlocking()
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
