import Foundation

/// The selection screen's list: every experiment and graph under a folder, with what its
/// config says and how its last run went. Read from files only; no plugin is loaded.
public struct SelectionEntry: Equatable {
    /// The experiment's name (or "?" when its config cannot be read).
    public var name: String
    /// Its config.yaml.
    public var configPath: String
    /// "experiment", or "graph" when it reads upstream artifacts (a run runs them all).
    public var kind: String
    /// Upstream experiments it reads (`datasource: {key: experiment#artifact}`).
    public var upstream: [String]
    /// Replicates and treatments from config.yaml.
    public var replicates: Int, treatments: [String]
    /// The last run's status ("complete", "running", …) or "never run".
    public var lastStatus: String
    /// The last run's wall time, the estimate of the next one's.
    public var lastDuration: Double?
    /// A problem reading the config.
    public var problem: String?

    /// The entries under `root`, reading last runs under `dataRoot`.
    public static func list(root: String, dataRoot: String) -> [SelectionEntry] {
        ExperimentCatalog.list(root: root).map { e in
            var upstream: [String] = []
            if let text = try? String(contentsOfFile: e.path, encoding: .utf8), let yaml = try? YAMLNode.parse(text, file: e.path),
               let ds = try? yaml.mapping().first(where: { $0.key == "datasource" })?.node, let refs = try? ExperimentConfig.parseInputs(ds) {
                var seen = Set<String>()
                upstream = refs.values.map(\.experiment).filter { seen.insert($0).inserted }
            }
            var entry = SelectionEntry(name: e.name, configPath: e.path, kind: upstream.isEmpty ? "experiment" : "graph", upstream: upstream,
                                       replicates: e.replicates, treatments: e.treatments, lastStatus: "never run", lastDuration: nil, problem: e.problem)
            let store = RunStore(dataRoot: dataRoot, experiment: e.name)
            if e.problem == nil, let v = store.versions().last, let meta = try? store.readMetadata(v) {
                if case .string(let s)? = meta["status"] { entry.lastStatus = "\(s) (v\(v))" }
                if case .string(let a)? = meta["started"], case .string(let b)? = meta["finished"], let t0 = Self.date(a), let t1 = Self.date(b) {
                    entry.lastDuration = max(0, t1.timeIntervalSince(t0))
                }
            }
            return entry
        }
    }

    static func date(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }
}

/// Draws the selection screen.
public enum SelectionView {
    /// The keys, as the bottom line lists them.
    public static let keyHelp = "↑↓ move  Enter open the run screen  r refresh  q quit"

    /// A last run's duration from its metadata stamps, which have whole seconds: under one
    /// second is all they can tell.
    static func runtime(_ seconds: Double) -> String { seconds < 1 ? "<1s" : RunScreenFormat.duration(seconds) }

    /// The screen for `entries` with row `selection` highlighted.
    public static func render(_ entries: [SelectionEntry], selection: Int, root: String, columns: Int, rows: Int, style: TerminalStyle) -> [ScreenLine] {
        var lines: [ScreenLine] = [[Span(" crystallize-host", .bold), Span(style.glyph(" — ", " - ") + "experiments under \(root) (\(entries.count))", .dim)], []]
        var table: [[String]] = [["name", "kind", "replicates", "treatments", "last run", "est. runtime"]]
        for e in entries {
            if let p = e.problem { table.append(["?", "error", "-", p, "-", "-"]); continue }
            let kind = e.kind == "graph" ? "graph (\((e.upstream + [e.name]).joined(separator: style.glyph(" → ", " -> "))))" : e.kind
            table.append([e.name, kind, "\(e.replicates)", e.treatments.isEmpty ? "-" : e.treatments.joined(separator: ", "),
                          e.lastStatus, e.lastDuration.map(SelectionView.runtime) ?? "-"])
        }
        let text = Summary.table(table).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let body = max(1, rows - 4)
        let first = max(0, min(selection - body / 2, entries.count - body))
        lines.append([Span(" " + (text.first ?? ""), .dim)])
        for (i, row) in text.dropFirst().enumerated().dropFirst(first).prefix(body) {
            let line = " " + row
            lines.append(i == selection ? [Span(ScreenRenderer.plain([Span(line)], columns: columns), .inverse)] : [Span(line, entries[i].problem == nil ? .normal : .red)])
        }
        if entries.isEmpty { lines.append([Span(" no config.yaml found under \(root)", .red)]) }
        while lines.count < rows - 1 { lines.append([]) }
        lines.append([Span(style.unicode ? keyHelp : keyHelp.replacingOccurrences(of: "↑↓", with: "up/down"), .dim)])
        return lines
    }
}

/// The selection screen as a program: Enter opens the run screen of the selected entry, whose
/// `q` comes back here; `q` here quits.
public final class SelectionApp {
    let root: String, dataRoot: String
    let overrides: RunOverrides
    let terminal: TerminalMode
    let style: TerminalStyle
    /// The results of the last run started from a run screen opened here.
    public private(set) var lastResults: [RunResult] = []

    /// A selection screen over `root`.
    public init(root: String, dataRoot: String, overrides: RunOverrides, terminal: TerminalMode, style: TerminalStyle = .fromEnvironment()) {
        self.root = root; self.dataRoot = dataRoot; self.overrides = overrides; self.terminal = terminal; self.style = style
    }

    /// Runs until `q`; blocking.
    public func loop() -> RunScreenApp.Exit {
        var entries = SelectionEntry.list(root: root, dataRoot: dataRoot)
        var selection = 0
        var size = (columns: 0, rows: 0)
        var dirty = true
        while true {
            for key in KeyInput.next(timeoutMs: 100) {
                dirty = true
                switch key {
                case .character("q"), .escape: return .quit
                case .interrupt: return .interrupted
                case .up, .character("k"): selection = max(0, selection - 1)
                case .down, .character("j"): selection = min(max(0, entries.count - 1), selection + 1)
                case .character("r"): entries = SelectionEntry.list(root: root, dataRoot: dataRoot)
                case .enter:
                    guard selection < entries.count, entries[selection].problem == nil else { continue }
                    let app = RunScreenApp(options: .init(target: entries[selection].configPath, overrides: overrides, strategy: nil,
                                                          autoStart: false, returnsOnQuit: true), terminal: terminal, style: style)
                    let exit = app.loop()
                    if !app.lastResults.isEmpty { lastResults = app.lastResults }
                    if exit == .interrupted { return .interrupted }
                    entries = SelectionEntry.list(root: root, dataRoot: dataRoot)
                    size = (0, 0)
                default: dirty = false
                }
            }
            let s = TerminalMode.size()
            if s != size { size = s; dirty = true }
            if dirty {
                dirty = false
                let lines = SelectionView.render(entries, selection: selection, root: root, columns: size.columns, rows: size.rows, style: style)
                TerminalMode.write(ScreenRenderer.frame(lines, columns: size.columns, rows: size.rows, style: style))
            }
        }
    }
}
