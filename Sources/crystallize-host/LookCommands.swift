import ArgumentParser
import CrystallizeRuntime
import Foundation

/// `crystallize-host report`: one self-contained HTML file for a stored run.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a stored run's report: one self-contained HTML file with plots (no network needed to read it).")
    @Argument(help: "<experiment>[@vN] (a name, folder or config.yaml), or a run folder (data/<exp>/vN).") var target: String
    @Option(name: .customLong("data-dir"), help: "Root of the results folder.") var dataDir: String = "data"
    @Option(name: [.customShort("o"), .long], help: "Where to write the HTML (default: <run folder>/report.html).") var output: String?
    @Option(help: "An event log `run --events FILE` wrote, for the per-replicate timeline (repeatable).") var events: [String] = []

    func run() throws {
        do {
            let dir = try RunLocator.versionDirectory(target, dataRoot: dataDir)
            print(try HtmlReport.write(versionDirectory: dir, output: output, eventLogs: events))
        } catch {
            exitWith("error: \(error)", code: 2)
        }
    }
}

/// `crystallize-host compare`: stored runs side by side.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Compare stored runs: what differs (params, treatments, seeds, replicates, plugins, git) and each condition's metrics.")
    @Argument(help: "Two or more runs: <experiment>[@vN] or run folders.") var runs: [String]
    @Option(name: .customLong("data-dir"), help: "Root of the results folder.") var dataDir: String = "data"
    @Flag(help: "Show every attribute column, not only those that differ.") var all = false
    @Flag(help: "Print the comparison as JSON.") var json = false

    func validate() throws {
        if runs.count < 2 { throw ValidationError("compare needs at least two runs, e.g. `compare demo@v0 demo@v1`") }
    }

    func run() throws {
        do {
            let stored = try runs.map { try StoredRun.load(directory: RunLocator.versionDirectory($0, dataRoot: dataDir)) }
            let comparison = RunComparison(stored)
            print(json ? JSONText.encode(comparison.json(), indent: 2) : comparison.renderText(all: all))
        } catch {
            exitWith("error: \(error)", code: 2)
        }
    }
}

/// `crystallize-host serve`: starts the dashboard, a separate executable built beside this one.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve a local, read-only dashboard of stored and running runs (the crystallize-dashboard product).")
    @Option(name: .customLong("data-dir"), help: "Root of the results folder.") var dataDir: String = "data"
    @Option(help: "Port (0 picks a free one).") var port: Int = 8765
    @Option(help: "Address to bind; 127.0.0.1 unless you mean to share it.") var host: String = "127.0.0.1"

    func run() throws {
        let exe = URL(fileURLWithPath: WorkerLauncher.currentExecutable).deletingLastPathComponent().appendingPathComponent("crystallize-dashboard").path
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            exitWith("error: the dashboard is a separate product and is not built (\(exe) is missing): run `swift build --product crystallize-dashboard`", code: 2)
        }
        let args = [exe, "--data-dir", dataDir, "--port", "\(port)", "--host", host]
        // Replaced in place, not started as a child: the dashboard gets this process's pid,
        // terminal, signals and exit status, and no host waits around. swift-subprocess (how
        // everything else starts processes) only starts children; it has no exec.
        var cargs = args.map { strdup($0) } + [nil]
        execv(exe, &cargs)
        exitWith("error: cannot start \(exe): \(String(cString: strerror(errno)))", code: 2)
    }
}
