import ChildProcesses
import Foundation

/// The run screen as a program: plans the experiment (and its graph), runs it on R with the
/// run events feeding the model, and answers the keys. Blocking: call `loop` on a thread of
/// its own, with the terminal already in full-screen mode.
public final class RunScreenApp: @unchecked Sendable {
    /// How the screen was opened.
    public struct Options {
        /// The experiment folder or config.yaml.
        public var target: String
        /// Command-line overrides for every run from the screen.
        public var overrides: RunOverrides
        /// rerun or resume as asked on the command line; nil: resume while caching is on.
        public var strategy: RunStrategy?
        /// Start a run at once (`run --ui`) instead of waiting for R.
        public var autoStart: Bool
        /// `q` goes back to the selection screen instead of quitting.
        public var returnsOnQuit: Bool
        /// `attach --ui`: follow a detached run instead of starting one.
        public var detach: DetachAction? = nil
        /// Options.
        public init(target: String, overrides: RunOverrides, strategy: RunStrategy?, autoStart: Bool, returnsOnQuit: Bool) {
            self.target = target; self.overrides = overrides; self.strategy = strategy
            self.autoStart = autoStart; self.returnsOnQuit = returnsOnQuit
        }
    }

    /// How the screen ended.
    public enum Exit { case quit, back, interrupted }

    let options: Options
    let terminal: TerminalMode
    let style: TerminalStyle
    private let lock = NSLock()
    private var model = RunScreenModel(experiments: [])
    private var view = RunScreenViewState()
    private var dirty = true
    private var cancel: CancellationFlag?
    private var sessionRunning = false
    private var cacheEnabled = true
    private let clock = Date()
    /// The results of the last run from the screen (printed after leaving it).
    public private(set) var lastResults: [RunResult] = []

    /// A screen for `options` on `terminal`.
    public init(options: Options, terminal: TerminalMode, style: TerminalStyle = .fromEnvironment()) {
        self.options = options; self.terminal = terminal; self.style = style
    }

    private func locked<T>(_ body: () -> T) -> T { lock.lock(); defer { lock.unlock() }; return body() }
    private var now: Double { Date().timeIntervalSince(clock) }

    /// Captured stderr and the engine's log lines, into the Logs tab.
    public func log(_ line: String) {
        let level: LogLevel = line.hasPrefix("error") ? .error : (line.hasPrefix("warning") ? .warning : .info)
        locked {
            model.appendLog(.init(level: level, experiment: model.currentExperiment ?? "", replicate: nil, condition: nil, step: nil, message: line))
            dirty = true
        }
    }

    /// The screen open now, which receives captured stderr lines.
    public private(set) static weak var active: RunScreenApp?

    /// Runs the screen until `q` (or Ctrl-C).
    public func loop() -> Exit {
        Self.active = self
        defer { Self.active = nil }
        refreshLayout()
        if options.autoStart { startRun() }
        var size = (columns: 0, rows: 0)
        var lastDraw = -1.0
        var quitting: Exit? = nil
        while true {
            for key in KeyInput.next(timeoutMs: 40) {
                if quitting != nil {
                    // A second Ctrl-C while a cancelled run winds down: leave now.
                    if key == .interrupt { return .interrupted }
                    continue
                }
                quitting = handle(key)
                if quitting != nil, let c = locked({ cancel }), locked({ sessionRunning }) {
                    c.cancel()
                    locked { view.message = "cancelling: waiting for the running replicates…"; dirty = true }
                }
            }
            if let q = quitting, !locked({ sessionRunning }) { return q }
            let s = TerminalMode.size()
            if s != size { size = s; locked { dirty = true } }
            let t = now
            if locked({ dirty }) || t - lastDraw > 0.5 {
                draw(size)
                lastDraw = t
            }
        }
    }

    private func draw(_ size: (columns: Int, rows: Int)) {
        let frame: String = locked {
            dirty = false
            view.nextStrategy = nextStrategy.rawValue
            let lines = RunScreenView.render(model, view, columns: size.columns, rows: size.rows, style: style)
            return ScreenRenderer.frame(lines, columns: size.columns, rows: size.rows, style: style)
        }
        TerminalMode.write(frame)
    }

    /// resume while every step keeps its cache, rerun once one is switched off (crystallize-ml:
    /// `l` flips the experiment between resume and rerun); `--strategy` wins.
    var nextStrategy: RunStrategy {
        if let s = options.strategy { return s }
        let uncached = model.experiments.last?.steps.contains { $0.cacheToggledOff } ?? false
        return cacheEnabled && !uncached ? .resume : .rerun
    }

    /// Plans the graph again (after an edit or a run) so the tree shows config.yaml as it is now.
    private func refreshLayout() {
        do {
            let graph = try ExperimentGraph(target: options.target, registry: PluginRegistry(), overrides: options.overrides)
            let rows = graph.order.map(RunScreenModel.ExperimentRow.init(plan:))
            locked {
                let old = model.experiments
                model.experiments = rows.map { row in
                    var r = row
                    if let o = old.first(where: { $0.name == row.name }) {
                        r.status = o.status; r.version = o.version; r.duration = o.duration
                        r.hasStarted = o.hasStarted; r.pendingPairs = o.pendingPairs; r.finishedPairs = o.finishedPairs
                    }
                    return r
                }
                cacheEnabled = graph.order.last?.cacheEnabled ?? true
                view.planError = nil
                view.selection = min(view.selection, max(0, TreeItem.rows(model).count - 1))
                dirty = true
            }
        } catch {
            locked { view.planError = "cannot plan \(options.target): \(error)"; dirty = true }
        }
    }

    private func startRun() {
        let flag = CancellationFlag()
        let strategy = locked { () -> RunStrategy? in
            guard !sessionRunning, view.planError == nil else { return nil }
            sessionRunning = true
            cancel = flag
            model.beginSession()
            view.message = "running (R cancels)"
            dirty = true
            return nextStrategy
        }
        guard let strategy else { return }
        let bus = RunEventBus()
        bus.subscribe(ClosureSubscriber { [weak self] event in
            guard let self else { return }
            self.locked { self.model.apply(event, at: self.now); self.dirty = true }
        })
        var overrides = options.overrides
        overrides.toggles = nil
        let target = options.target, detach = options.detach
        Task.detached { [self] in
            var results: [RunResult] = []
            var failure: String? = nil
            do {
                results = try await Session.run(target: target, overrides: overrides, strategy: strategy, showProgress: false,
                                                cancel: flag, events: bus, detach: detach, log: { [weak self] in self?.log($0) })
            } catch { failure = "\(error)" }
            self.locked {
                model.finishSession(results: results, cancelled: flag.isCancelled)
                for r in results { view.results[r.experiment] = r }
                lastResults = results
                if let failure {
                    model.appendLog(.init(level: .error, experiment: model.currentExperiment ?? "", replicate: nil, condition: nil, step: nil, message: failure))
                    view.message = "run failed: \(failure)"
                } else {
                    view.message = flag.isCancelled ? "cancelled: finished replicates are saved" : "finished: S shows the summary"
                }
                sessionRunning = false
                dirty = true
            }
        }
    }

    /// Answers one key; returns how the screen ends when the key ends it.
    private func handle(_ key: Key) -> Exit? {
        var message: String? = nil
        defer { locked { if let message { view.message = message }; dirty = true } }
        let items = locked { TreeItem.rows(model) }
        switch key {
        case .character("q"), .escape: return options.returnsOnQuit ? .back : .quit
        case .interrupt: return .interrupted
        case .up, .character("k"): locked { view.selection = max(0, view.selection - 1) }
        case .down, .character("j"): locked { view.selection = min(max(0, items.count - 1), view.selection + 1) }
        case .pageUp: locked { view.selection = max(0, view.selection - 10) }
        case .pageDown: locked { view.selection = min(max(0, items.count - 1), view.selection + 10) }
        case .character("S"), .character("s"): locked { view.tab = .summary }
        case .character("L"): locked { view.tab = .logs }
        case .character("E"): locked { view.tab = .errors }
        case .tab: locked { view.tab = RunScreenTab.allCases[(RunScreenTab.allCases.firstIndex(of: view.tab)! + 1) % RunScreenTab.allCases.count] }
        case .character("f"):
            locked {
                view.logLevel = LogLevel(rawValue: (view.logLevel.rawValue + 1) % Int32(LogLevel.allCases.count)) ?? .debug
                view.tab = .logs
                message = "logs: \(view.logLevel.label) and above"
            }
        case .character("R"), .character("r"):
            if locked({ sessionRunning }) {
                locked { cancel }?.cancel()
                message = "cancelling: waiting for the running replicates…"
            } else {
                refreshLayout()
                startRun()
            }
        case .character("x"): message = toggle(items, treatment: true)
        case .character("l"): message = toggle(items, treatment: false)
        case .character("e"): message = edit(items)
        default: break
        }
        return nil
    }

    /// `x` on a treatment or `l` on a step: flips it in the state file beside config.yaml and
    /// on screen; the next run applies it.
    private func toggle(_ items: [TreeItem], treatment: Bool) -> String {
        return locked { () -> String in
            guard view.selection < items.count else { return "nothing selected" }
            let item = items[view.selection]
            let e = item.experimentIndex
            let configPath = model.experiments[e].configPath
            var state: ToggleState
            do { state = try ToggleState.load(forConfig: configPath) } catch { return "\(error)" }
            let text: String
            switch (item, treatment) {
            case let (.condition(_, c), true):
                let name = model.experiments[e].conditions[c].name
                guard name != "baseline" else { return "the baseline always runs; x switches treatments" }
                state.toggleTreatment(name)
                model.experiments[e].conditions[c].enabled = !state.disabledTreatments.contains(name)
                text = "treatment \(name) \(model.experiments[e].conditions[c].enabled ? "on" : "off")"
            case let (.step(_, s), false):
                let name = model.experiments[e].steps[s].name
                state.toggleCache(name)
                let off = state.uncachedSteps.contains(name)
                model.experiments[e].steps[s].cacheToggledOff = off
                model.experiments[e].steps[s].cached = !off && model.experiments[e].steps[s].cached
                text = "cache of \(name) \(off ? "off" : "on")"
            default:
                return treatment ? "x switches a treatment: select one in the tree" : "l switches a step's cache: select a step in the tree"
            }
            do { try state.save(forConfig: configPath) } catch { return "cannot save toggles: \(error)" }
            return "\(text) (kept in \(ToggleState.fileName); R runs with it)"
        }
    }

    /// `e`: config.yaml in $EDITOR (else $VISUAL, else vi) at the selected row's line.
    private func edit(_ items: [TreeItem]) -> String {
        let (path, section, name): (String, String, String?) = locked {
            guard view.selection < items.count else { return (model.experiments.last?.configPath ?? "", "name", nil) }
            let item = items[view.selection]
            let x = model.experiments[item.experimentIndex]
            switch item {
            case .experiment: return (x.configPath, "name", nil)
            case let .condition(_, c): return (x.configPath, "treatments", x.conditions[c].name == "baseline" ? nil : x.conditions[c].name)
            case let .step(_, s): return (x.configPath, x.steps[s].isDatasource ? "datasource" : "steps", x.steps[s].name)
            }
        }
        guard !path.isEmpty, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "no config.yaml to edit" }
        let line = ConfigLocator.line(in: text, section: section, name: name)
        let env = ProcessInfo.processInfo.environment
        let editor = env["EDITOR"].flatMap { $0.isEmpty ? nil : $0 } ?? env["VISUAL"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
        var status: Int32 = 0
        terminal.suspend {
            let r = Command("/bin/sh", ["-c", "\(editor) +\(line) \"$1\"", "editor", path]).runAttachedBlocking()
            status = r.signal ?? r.status
        }
        if !locked({ sessionRunning }) { refreshLayout() }
        return status == 0 ? "edited \(path):\(line)" : "editor '\(editor)' exited with status \(status)"
    }
}
