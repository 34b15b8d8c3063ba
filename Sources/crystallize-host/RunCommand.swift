import ArgumentParser
import CrystallizeRuntime
import Foundation

/// `crystallize-host run`: run an experiment (and its upstreams).
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run an experiment folder or config.yaml.")

    @Argument(help: "Experiment folder (holding config.yaml) or a config file.") var target: String
    @Option(help: "Replicates, overriding config.yaml.") var replicates: Int?
    @Option(name: .customLong("treatment"), help: "Run only this treatment (repeatable); the baseline always runs.") var treatments: [String] = []
    @Option(help: "Base seed; replicate r uses (seed + r*31337) mod 2^32.") var seed: UInt64?
    @Option(name: .customLong("data-dir"), help: "Root of the results folder (default: data).") var dataDir: String?
    @Option(help: "How replicates run: serial, threads, processes, async, or a plugin's strategy.") var execution: String?
    @Option(name: [.customShort("j"), .long], help: "Workers for parallel execution.") var workers: Int?
    @Option(help: "rerun (default) or resume.") var strategy: String?
    @Flag(name: .customLong("no-cache"), help: "Do not use the step cache.") var noCache = false
    @Flag(name: [.customShort("q"), .long], help: "Print only the final summary.") var quiet = false
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value (repeatable): step.param=value, treatments.NAME.key=value, replicates=N, seed=N.", valueName: "KEY=VALUE"))
    var settings: [String] = []
    @Flag(name: [.customShort("v"), .long], help: "Also print plugin log lines of debug level (hidden by default; steps.log keeps them all).") var verbose = false
    @Flag(help: "Run one replicate of the baseline (or of --treatment T) in this process, printing each step's input, parameters and where each came from, output, context writes and logs; no hypotheses, no cache, nothing written under the data folder.")
    var debug = false
    @Flag(help: "Watch and steer the run on the full-screen run screen (needs a terminal).") var ui = false
    @Flag(name: .customLong("reset-toggles"), help: "Forget the treatments and step caches switched off on the run screen.") var resetToggles = false
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "When another run holds the experiment folder, wait for it instead of refusing.") var wait = false
    @Option(help: "Run a failed (replicate, condition) again up to N more times (overrides retries: in config.yaml).") var retries: Int?
    @Flag(name: .customLong("fail-fast"), help: "Stop scheduling at the first failure that has no retry left; keep what finished; exit 1.") var failFast = false
    @Option(help: ArgumentHelp("Write the run's events as JSON lines to this file ('-': stdout, the summary then goes to stderr).",
                               valueName: "file")) var events: String?
    @Option(name: .customLong("sweep"), help: "A grid axis key=v1,v2,... (repeatable): one treatment per combination.") var sweeps: [String] = []
    @Flag(help: "Submit to the cluster strategy and exit; follow later with attach, status, cancel.") var detach = false
    @Flag(name: .customLong("dry-run"), help: "Print the experiments, conditions (generated treatments included) and optimizer settings a run would use; run nothing.") var dryRun = false

    func validate() throws {
        if let r = replicates, r < 1 { throw ValidationError("--replicates must be at least 1") }
        if let w = workers, w < 1 { throw ValidationError("--workers must be at least 1") }
        if let r = retries, r < 0 || r > 100 { throw ValidationError("--retries must be between 0 and 100, got \(r)") }
        if detach && ui { throw ValidationError("--detach exits after submitting; watch the run later with `attach <experiment> --ui`") }
        if debug {
            // Flags that shape a stored run mean nothing to one replicate printed and stored nowhere:
            // refused rather than ignored (and --reset-toggles would write beside config.yaml).
            let clashing = [("--ui", ui), ("--detach", detach), ("--dry-run", dryRun), ("--json", json), ("--events", events != nil),
                            ("--replicates", replicates != nil), ("--execution", execution != nil), ("--workers", workers != nil),
                            ("--strategy", strategy != nil), ("--retries", retries != nil), ("--fail-fast", failFast), ("--wait", wait),
                            ("--quiet", quiet), ("--reset-toggles", resetToggles)].filter(\.1).map(\.0)
            if !clashing.isEmpty { throw ValidationError("--debug prints one replicate as it runs; it does not combine with \(clashing.joined(separator: ", "))") }
            if treatments.count > 1 { throw ValidationError("--debug runs one condition: give at most one --treatment, got \(treatments.joined(separator: ", "))") }
        }
        if let s = strategy, RunStrategy(rawValue: s) == nil { throw ValidationError("--strategy must be rerun or resume, got '\(s)'") }
    }

    func run() async throws {
        LogVerbosity.showsDebug = verbose
        var o = RunOverrides()
        o.replicates = replicates
        o.treatments = treatments.isEmpty ? nil : treatments
        o.seed = seed
        o.dataRoot = dataDir
        o.execution = execution
        o.workers = workers
        o.noCache = noCache
        o.retries = retries
        o.failFast = failFast
        o.pluginPaths = CrystallizeHost.pluginPaths
        do { o.settings = try settings.map(SettingOverride.init(parsing:)) } catch { exitWith("error: \(error)", code: 2) }
        if resetToggles {
            do { try ToggleState.reset(forConfig: try ExperimentConfig.path(for: target)) } catch { exitWith("error: \(error)", code: 2) }
        }
        o.sweeps = sweeps
        if dryRun {
            do { print(try DryRun.describe(target: target, overrides: o)) } catch { exitWith("error: \(error)", code: 2) }
            return
        }
        if debug { return try await runDebug(o) }
        if OptimizationRunner.isOptimization(target: target) { return try await optimize(o) }
        if ui {
            if TerminalMode.isInteractive {
                let options = RunScreenApp.Options(target: target, overrides: o, strategy: strategy.flatMap(RunStrategy.init(rawValue:)),
                                                   autoStart: true, returnsOnQuit: false)
                try await presentRunScreen(options, json: json)
                return
            }
            warn("note: --ui needs a terminal on stdin and stdout; showing the progress line instead")
        }
        let cancel = CancellationFlag()
        let interrupts = InterruptHandler(cancel: cancel)
        defer { withExtendedLifetime(interrupts) {} }
        let (bus, eventLines) = eventBus()
        defer { withExtendedLifetime(eventLines) {} }
        let results: [RunResult]
        do {
            results = try await Session.run(target: target, overrides: o, strategy: strategy.flatMap(RunStrategy.init(rawValue:)) ?? .rerun,
                                            showProgress: !quiet && !json && ProgressReporter.stderrIsTerminal, cancel: cancel,
                                            events: bus, waitForLock: wait, detach: detach ? .submit : nil, log: printLog)
        } catch {
            exitForRunError(error)
        }
        // With events on stdout, stdout stays JSON lines only.
        let report: (String) -> Void = events == "-" ? { warn($0) } : { print($0) }
        if let last = results.last, last.status == .detached {
            report(json ? JSONText.encode(.list(results.map(\.strictJSON)), indent: 2) : DetachAction.instructions(last, dataRoot: dataDir ?? "data"))
            return
        }
        if json {
            report(JSONText.encode(.list(results.map(\.strictJSON)), indent: 2))
        } else {
            report(results.map(Summary.render).joined(separator: "\n\n"))
        }
        if cancel.isCancelled { throw ExitCode(130) }
        if !results.allSatisfy(\.succeeded) { throw ExitCode(1) }
    }
}

extension Run {
    /// `--debug`: one replicate printed as it runs; exit 1 when it fails, 2 when it cannot start.
    func runDebug(_ overrides: RunOverrides) async throws {
        if OptimizationRunner.isOptimization(target: target) { exitWith("error: --debug runs an experiment; \(target) is an optimization (debug one of its experiments)", code: 2) }
        LogVerbosity.showsDebug = true
        let outcome: DebugRun.Outcome
        do {
            outcome = try await DebugRun.run(target: target, overrides: overrides, treatment: treatments.first) { print($0); fflush(stdout) }
        } catch { exitWith("error: \(error)", code: 2) }
        if !outcome.succeeded { throw ExitCode(1) }
    }

    /// The run's event bus, with `--events FILE` subscribed when given (exit 2 if the file
    /// cannot be created); keep the writer alive for the run.
    func eventBus() -> (RunEventBus, EventLineWriter?) {
        let bus = RunEventBus()
        guard let events else { return (bus, nil) }
        let writer: EventLineWriter
        do { writer = try EventLineWriter(path: events) } catch { exitWith("error: \(error)", code: 2) }
        bus.subscribe(writer)
        return (bus, writer)
    }
}

/// Ends the process for an error that stopped a run (run, optimize, attach, cancel): 1 when
/// storage failed mid-run (what finished is safe and resume continues), 2 for everything else
/// (config, plugins, usage).
func exitForRunError(_ error: Error) -> Never {
    if error is JournalWriteFailure || error is ResultsWriteFailure { exitWith("error: \(error)", code: 1) }
    exitWith("error: \(error)", code: 2)
}

/// First Ctrl-C cancels the run gracefully; a second one exits at once.
final class InterruptHandler {
    private let source: DispatchSourceSignal
    private var count = 0

    init(cancel: CancellationFlag) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned cancel] in
            self.count += 1
            if self.count > 1 { exitWith("\ninterrupted again: exiting now", code: 130) }
            warn("\ninterrupt: stopping after the running replicates; finished ones are saved (Ctrl-C again to exit now)")
            cancel.cancel()
        }
        source.resume()
    }
}
