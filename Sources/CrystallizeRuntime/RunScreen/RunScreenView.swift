import Foundation

/// The tabs of the run screen's right side.
public enum RunScreenTab: String, CaseIterable {
    case logs = "Logs", summary = "Summary", errors = "Errors"
}

/// What the run screen shows besides the model: the cursor, the tab, the log filter, a
/// message, and the finished runs' results.
public struct RunScreenViewState {
    /// The selected tree row.
    public var selection = 0
    /// The tab on the right.
    public var tab = RunScreenTab.logs
    /// Log lines below this level are hidden (`f` cycles it).
    public var logLevel = LogLevel.debug
    /// A one-line note (what the last key did).
    public var message: String?
    /// The strategy the next run uses (resume while caching is on, rerun when off).
    public var nextStrategy = "resume"
    /// The last session's results, by experiment.
    public var results: [String: RunResult] = [:]
    /// Why the experiment could not be planned, if it could not.
    public var planError: String?
    /// The view state of a fresh screen.
    public init() {}
}

/// Draws the run screen: top bar, tabs, the tree on the left, the tab on the right, the keys.
public enum RunScreenView {
    /// The keys, as the bottom line lists them.
    public static let keyHelp = "↑↓ move  R run/cancel  l cache  x treatment  S/L/E tabs  f filter  e edit  q quit"

    /// The keys in fewer words, for a terminal too narrow for `keyHelp` (80 columns and less).
    public static let shortKeyHelp = "R run/stop  x treatment  l cache  S/L/E tabs  f filter  e edit  q quit"

    /// The key line that fits `columns`: every key stays visible at 80 columns.
    static func keyLine(columns: Int, style: TerminalStyle) -> String {
        let full = style.unicode ? keyHelp : keyHelp.replacingOccurrences(of: "↑↓", with: "up/down")
        return ScreenRenderer.width(full) <= columns ? full : shortKeyHelp
    }

    /// The screen for `model` at `columns`×`rows`.
    public static func render(_ model: RunScreenModel, _ view: RunScreenViewState, columns: Int, rows: Int, style: TerminalStyle) -> [ScreenLine] {
        var lines: [ScreenLine] = [topBar(model, view, style: style)]
        var tabs: ScreenLine = []
        for t in RunScreenTab.allCases {
            var label = t.rawValue
            if t == .logs { label += "(\(model.logs.count))" }
            if t == .errors { label += "(\(model.errors.count))" }
            tabs.append(Span(" \(label) ", t == view.tab ? .inverse : .normal))
            tabs.append(Span(" "))
        }
        if let m = view.message { tabs.append(Span(" " + m, .yellow)) }
        lines.append(tabs)
        let bodyRows = max(1, rows - 3)
        let treeWidth = max(20, min(40, columns * 2 / 5))
        let rightWidth = max(10, columns - treeWidth - 1)
        let tree = treeLines(model, view, width: treeWidth, height: bodyRows, style: style)
        let right: [ScreenLine]
        switch view.tab {
        case .logs: right = logLines(model, view, width: rightWidth, height: bodyRows)
        case .summary: right = RunScreenSummary.lines(model, view, width: rightWidth)
        case .errors: right = errorLines(model, width: rightWidth, height: bodyRows)
        }
        let bar = style.glyph("│", "|")
        for r in 0..<bodyRows {
            let left = r < tree.count ? tree[r] : []
            // Keep the left side's colours: pad it as spans rather than flattening it.
            var line: ScreenLine = left + [Span(String(repeating: " ", count: max(0, treeWidth - ScreenRenderer.width(left.map(\.text).joined()))))]
            line.append(Span(bar, .dim))
            if r < right.count { line += right[r] }
            lines.append(line)
        }
        lines.append([Span(keyLine(columns: columns, style: style), .dim)])
        return lines
    }

    static func topBar(_ model: RunScreenModel, _ view: RunScreenViewState, style: TerminalStyle) -> ScreenLine {
        guard let e = model.focus else { return [Span(" crystallize", .bold)] }
        let sep = Span(style.glyph(" │ ", " | "), .dim)
        var spans: ScreenLine = [Span(" \(e.name)", .bold)]
        if let v = e.version { spans.append(Span(" v\(v)")) }
        spans += [sep, Span("replicate \(e.replicatesDone)/\(e.replicates)")]
        // The state comes right after n/N: a narrow terminal clips the bar from the right.
        let status = model.running ? "running" : e.status.rawValue
        spans += [sep, Span(status, status == "failed" ? .red : (status == "running" ? .yellow : .green))]
        let treatment = model.running ? (model.currentCondition ?? "-") : (e.conditions.filter(\.enabled).dropFirst().map(\.name).joined(separator: ",").nilIfEmpty ?? "baseline only")
        spans += [sep, Span("treatment \(treatment)", .cyan)]
        spans += [sep, Span("strategy \(model.running && !e.strategy.isEmpty ? e.strategy : view.nextStrategy)")]
        if !e.execution.isEmpty { spans += [sep, Span(e.execution)] }
        if let eta = model.eta { spans += [sep, Span("eta \(RunScreenFormat.eta(eta))")] }
        if let p = e.progressMessage, model.running { spans += [sep, Span(p, .dim)] }
        return spans
    }

    static func treeLines(_ model: RunScreenModel, _ view: RunScreenViewState, width: Int, height: Int, style: TerminalStyle) -> [ScreenLine] {
        if let err = view.planError { return wrap(err, width: width).map { [Span($0, .red)] } }
        let items = TreeItem.rows(model)
        // Scroll so the selection stays on screen.
        let first = max(0, min(view.selection - height / 2, items.count - height))
        return items.enumerated().dropFirst(first).prefix(height).map { i, item in
            TreeRowRenderer.line(item, model: model, style: style, width: width, selected: i == view.selection)
        }
    }

    static func logLines(_ model: RunScreenModel, _ view: RunScreenViewState, width: Int, height: Int) -> [ScreenLine] {
        let shown = model.logs.filter { $0.level.rawValue >= view.logLevel.rawValue }
        var out: [ScreenLine] = [[Span(" level \(view.logLevel.label)+ (f: filter), \(shown.count) line(s)", .dim)]]
        for l in shown.suffix(max(0, height - 1)) {
            let tag: (String, TextAttribute)
            switch l.level {
            case .debug: tag = ("DBG", .dim)
            case .info: tag = ("INF", .normal)
            case .warning: tag = ("WRN", .yellow)
            case .error: tag = ("ERR", .red)
            }
            var origin = [l.step, l.replicate.map { "r\($0)" }, l.condition].compactMap { $0 }.joined(separator: " ")
            if !origin.isEmpty { origin = "[\(origin)] " }
            out.append([Span(" " + tag.0, tag.1), Span(" " + origin, .dim), Span(l.message)])
        }
        return out
    }

    static func errorLines(_ model: RunScreenModel, width: Int, height: Int) -> [ScreenLine] {
        if model.errors.isEmpty { return [[Span(" no errors", .dim)]] }
        var out: [ScreenLine] = [[Span(" replicate  condition  step: message", .dim)]]
        for e in model.errors.suffix(max(0, height - 1)) {
            out.append([Span(" r\(e.replicate)", .bold), Span("  \(e.condition)", .cyan), Span("  \(e.step): "), Span(e.message, .red)])
        }
        return out
    }

    /// `text` cut into lines of at most `width` columns.
    static func wrap(_ text: String, width: Int) -> [String] {
        var out: [String] = []
        for para in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in para.split(separator: " ") {
                if !line.isEmpty && ScreenRenderer.width(line) + 1 + word.count > width { out.append(line); line = "" }
                line += (line.isEmpty ? "" : " ") + word
            }
            out.append(line)
        }
        return out
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
