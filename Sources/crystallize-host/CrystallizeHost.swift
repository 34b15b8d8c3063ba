import ArgumentParser
import CrystallizeRuntime
import Foundation

/// The `crystallize-host` command: parses arguments and prints; the engine lives in
/// CrystallizeRuntime.
@main
struct CrystallizeHost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crystallize-host",
        abstract: "Run reproducible experiments whose steps live in plugin libraries.",
        discussion: "Load plugins with --plugin PATH (repeatable, before or after the subcommand) or a plugins: list in config.yaml.",
        version: HostInfo.version,
        subcommands: [Run.self, Ui.self, List.self, Inspect.self, Show.self, Report.self, Compare.self, Serve.self, Graph.self, Status.self, Attach.self, Cancel.self, Worker.self])

    /// `--plugin` may appear anywhere, so it is taken out before ArgumentParser sees the rest.
    static var pluginPaths: [String] = []

    static func main() async {
        var args = Array(CommandLine.arguments.dropFirst())
        var i = 0
        while i < args.count {
            if args[i] == "--plugin" {
                guard i + 1 < args.count else { exitWith("error: --plugin needs a path", code: 2) }
                pluginPaths.append(args[i + 1]); args.removeSubrange(i...(i + 1))
            } else if args[i].hasPrefix("--plugin=") {
                pluginPaths.append(String(args[i].dropFirst(9))); args.remove(at: i)
            } else { i += 1 }
        }
        pluginPaths = pluginPaths.map { argument in
            do {
                let r = try PluginPathResolver.resolve(argument)
                if let note = r.note { warn("note: \(note)") }
                return r.path
            } catch { exitWith("error: \(error)", code: 2) }
        }
        do {
            var command = try parseAsRoot(args)
            if var asyncCommand = command as? AsyncParsableCommand { try await asyncCommand.run() } else { try command.run() }
        } catch {
            // A bad argument is bad input like any other: exit 2 (README, "Exit codes"), not
            // ArgumentParser's EX_USAGE 64. Help, version and ExitCode keep their own codes.
            if exitCode(for: error) == .validationFailure { exitWith(fullMessage(for: error), code: 2) }
            exit(withError: error)
        }
    }
}

/// Prints to stderr and exits.
func exitWith(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write((message + "\n").data(using: .utf8)!)
    exit(code)
}

/// Writes a line to stderr.
func warn(_ message: String) { FileHandle.standardError.write((message + "\n").data(using: .utf8)!) }

/// Prints an engine or plugin log line on stderr; debug-level lines only with `-v`.
func printLog(_ line: String) { if LogVerbosity.shows(line) { warn(line) } }
