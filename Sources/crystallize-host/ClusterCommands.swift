import ArgumentParser
import CrystallizeRuntime
import Foundation

/// `crystallize-host status`: every detached or running cluster run, with scheduler state.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show detached and running cluster runs: scheduler state, replicates done, failed and to go.")
    @Argument(help: "Experiment name or folder (default: every experiment under --data-dir).") var experiment: String?
    @Option(name: .customLong("data-dir"), help: "Root of the results folder.") var dataDir: String = "data"

    func run() async throws {
        let entries: [DetachedRuns.Entry]
        do { entries = try DetachedRuns.list(experiment: experiment, dataRoot: dataDir) } catch { exitWith("error: \(error)", code: 2) }
        if entries.isEmpty { print("no detached or running runs under \(dataDir)\(experiment.map { " for '\($0)'" } ?? "")"); return }
        var blocks: [String] = []
        for e in entries {
            do {
                let s = try await DetachedRuns.status(e)
                var text = "\(e.experiment) v\(e.version) [\(e.status)]: \(s.done) done, \(s.failed) failed, \(s.pending) to go, of \(s.total) replicates"
                for line in s.lines { text += "\n  \(line)" }
                blocks.append(text)
            } catch {
                blocks.append("\(e.experiment) v\(e.version) [\(e.status)]: cannot read its state: \(error)")
            }
        }
        print(blocks.joined(separator: "\n"))
    }
}

/// `crystallize-host attach`: follow a detached run to its end and finish it as a foreground run would.
struct Attach: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Follow a detached cluster run with progress; when its tasks end, write its results as a foreground run would.")
    @Argument(help: "Experiment name or folder.") var experiment: String
    @Option(name: .customLong("data-dir"), help: "Root of the results folder.") var dataDir: String = "data"
    @Flag(help: "Follow it on the full-screen run screen (needs a terminal).") var ui = false
    @Flag(name: [.customShort("q"), .long], help: "Print only the final summary.") var quiet = false
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        try await follow(experiment: experiment, dataDir: dataDir, action: DetachAction.attach, ui: ui, quiet: quiet, json: json)
    }
}

/// `crystallize-host cancel`: cancel a detached run's tasks; what finished is kept and written.
struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a detached cluster run; finished replicates are kept (--strategy resume runs the rest later).")
    @Argument(help: "Experiment name or folder.") var experiment: String
    @Option(name: .customLong("data-dir"), help: "Root of the results folder.") var dataDir: String = "data"

    func run() async throws {
        try await follow(experiment: experiment, dataDir: dataDir, action: DetachAction.cancel, ui: false, quiet: true, json: false, cancelling: true)
    }
}

/// Attach and cancel: rebuild the run from its saved request and let the strategy follow (or cancel) it.
func follow(experiment: String, dataDir: String, action: (Int) -> DetachAction, ui: Bool, quiet: Bool, json: Bool, cancelling: Bool = false) async throws {
    let entry: DetachedRuns.Entry
    do { entry = try DetachedRuns.latest(experiment: experiment, dataRoot: dataDir) } catch { exitWith("error: \(error)", code: 2) }
    let detach = action(entry.version)
    if ui {
        if TerminalMode.isInteractive {
            var options = RunScreenApp.Options(target: entry.request.target, overrides: entry.request.overrides, strategy: .resume, autoStart: true, returnsOnQuit: false)
            options.detach = detach
            try await presentRunScreen(options, json: json)
            return
        }
        warn("note: --ui needs a terminal on stdin and stdout; showing the progress line instead")
    }
    let cancel = CancellationFlag()
    let interrupts = InterruptHandler(cancel: cancel)
    defer { withExtendedLifetime(interrupts) {} }
    let results: [RunResult]
    do {
        results = try await Session.run(target: entry.request.target, overrides: entry.request.overrides, strategy: .resume,
                                        showProgress: !quiet && !json && ProgressReporter.stderrIsTerminal, cancel: cancel, detach: detach, log: printLog)
    } catch {
        exitForRunError(error)
    }
    if cancelling, let r = results.last {
        let kept = r.metrics.values.first?.values.first?.count ?? 0
        print("\(r.experiment) v\(r.version) cancelled; \(kept) finished replicate(s) kept in \(r.versionDirectory) (`run … --strategy resume` runs the rest)")
        return
    }
    print(json ? JSONText.encode(.list(results.map(\.strictJSON)), indent: 2) : results.map(Summary.render).joined(separator: "\n\n"))
    if cancel.isCancelled { throw ExitCode(130) }
    if !results.allSatisfy(\.succeeded) { throw ExitCode(1) }
}
