import ArgumentParser
import CrystallizeRuntime
import Foundation

/// `crystallize-host ui`: the selection screen of experiments and graphs.
struct Ui: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pick an experiment or graph and watch and steer its run on the run screen.",
        discussion: "Keys on the list: up/down, Enter (open the run screen), r (refresh), q (quit). On the run screen: \(RunScreenView.keyHelp).")
    @Argument(help: "Folder to search for config.yaml files.") var root: String = "experiments"
    @Option(name: .customLong("data-dir"), help: "Root of the results folder (default: data).") var dataDir: String = "data"

    func run() async throws {
        guard TerminalMode.isInteractive else { exitWith("error: ui needs a terminal on stdin and stdout; use `list` and `run` instead", code: 2) }
        var o = RunOverrides()
        o.pluginPaths = CrystallizeHost.pluginPaths
        o.dataRoot = dataDir
        var last: [RunResult] = []
        let exit: RunScreenApp.Exit
        do {
            exit = try await RunScreenLauncher.present { terminal in
                let app = SelectionApp(root: root, dataRoot: dataDir, overrides: o, terminal: terminal)
                defer { last = app.lastResults }
                return app.loop()
            }
        } catch { exitWith("error: \(error)", code: 2) }
        if !last.isEmpty { print(last.map(Summary.render).joined(separator: "\n\n")) }
        if exit == .interrupted { throw ExitCode(130) }
    }
}

/// `run --ui`: the run screen straight away; after `q`, the last run's summary on the
/// ordinary screen.
func presentRunScreen(_ options: RunScreenApp.Options, json: Bool) async throws {
    var last: [RunResult] = []
    let exit: RunScreenApp.Exit
    do {
        exit = try await RunScreenLauncher.present { terminal in
            let app = RunScreenApp(options: options, terminal: terminal)
            defer { last = app.lastResults }
            return app.loop()
        }
    } catch { exitWith("error: \(error)", code: 2) }
    if json { print(JSONText.encode(.list(last.map(\.strictJSON)), indent: 2)) } else if !last.isEmpty {
        print(last.map(Summary.render).joined(separator: "\n\n"))
    }
    if exit == .interrupted { throw ExitCode(130) }
}
