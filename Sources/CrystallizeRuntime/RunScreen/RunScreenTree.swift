/// The rows of the run screen's tree, which the cursor moves over: each experiment, then its
/// conditions and steps.
public enum TreeItem: Equatable {
    /// An experiment row.
    case experiment(Int)
    /// Condition `c` of experiment `e`.
    case condition(Int, Int)
    /// Step `s` of experiment `e`.
    case step(Int, Int)

    /// The experiment the row belongs to.
    public var experimentIndex: Int {
        switch self { case .experiment(let e), .condition(let e, _), .step(let e, _): return e }
    }

    /// Every row of `model`'s tree, in drawing order.
    public static func rows(_ model: RunScreenModel) -> [TreeItem] {
        var out: [TreeItem] = []
        for (e, x) in model.experiments.enumerated() {
            out.append(.experiment(e))
            out += x.conditions.indices.map { .condition(e, $0) }
            out += x.steps.indices.map { .step(e, $0) }
        }
        return out
    }
}

/// How the tree draws one row: state glyph, name, lock, figures on the right.
enum TreeRowRenderer {
    static func line(_ item: TreeItem, model: RunScreenModel, style: TerminalStyle, width: Int, selected: Bool) -> ScreenLine {
        var spans: ScreenLine
        var right = ""
        switch item {
        case .experiment(let e):
            let x = model.experiments[e]
            spans = [Span(style.glyph("▾ ", "- ")), Span(x.name, .bold)]
            right = x.status == .running ? "\(x.replicatesDone)/\(x.replicates)" : x.status.rawValue
        case let .condition(e, c):
            let row = model.experiments[e].conditions[c]
            let glyph: (String, TextAttribute)
            if !row.enabled { glyph = (style.glyph("⊘", "-"), .dim) }
            else if row.failed > 0 { glyph = (style.glyph("✗", "x"), .red) }
            else if row.running > 0 { glyph = (style.glyph("▶", ">"), .yellow) }
            else if row.finished > 0 { glyph = (style.glyph("✓", "+"), .green) }
            else { glyph = (style.glyph("·", "."), .dim) }
            spans = [Span("   "), Span(glyph.0, glyph.1), Span(" "), Span(row.name, row.enabled ? .cyan : .dim)]
            right = row.enabled ? "\(row.finished)\(row.failed > 0 ? "+\(row.failed)!" : "")/\(model.experiments[e].replicates)" : "off"
        case let .step(e, s):
            let row = model.experiments[e].steps[s]
            let glyph: (String, TextAttribute)
            switch row.state {
            case .pending: glyph = (style.glyph("·", "."), .dim)
            case .running: glyph = (style.glyph("▶", ">"), .yellow)
            case .done: glyph = (style.glyph("✓", "+"), .green)
            case .failed: glyph = (style.glyph("✗", "x"), .red)
            }
            spans = [Span("   "), Span(glyph.0, glyph.1), Span(" "), Span(row.name + (row.isDatasource ? " (data)" : ""))]
            if row.cached { spans.append(Span(style.glyph(" 🔒", " [c]"), .yellow)) }
            if row.cacheToggledOff { spans.append(Span(style.glyph(" 🔓off", " [c:off]"), .dim)) }
            var figures: [String] = []
            if row.cacheHits > 0 { figures.append("\(row.cacheHits) hit") }
            if let m = row.meanDuration { figures.append(RunScreenFormat.duration(m)) }
            right = figures.joined(separator: " ")
        }
        let used = ScreenRenderer.width(spans.map(\.text).joined())
        let gap = max(1, width - used - ScreenRenderer.width(right))
        spans.append(Span(String(repeating: " ", count: gap) + right, .dim))
        if selected { return [Span(ScreenRenderer.plain(spans, columns: width), .inverse)] }
        return spans
    }
}

/// Numbers as the screen writes them.
public enum RunScreenFormat {
    /// "0.4ms", "12ms", "1.30s", "2m05s".
    public static func duration(_ s: Double) -> String {
        if s < 0.01 { return String(format: "%.1fms", s * 1000) }
        if s < 1 { return String(format: "%.0fms", s * 1000) }
        if s < 60 { return String(format: "%.2fs", s) }
        return "\(Int(s) / 60)m\(String(format: "%02d", Int(s) % 60))s"
    }

    /// "0m05s" for an ETA.
    public static func eta(_ s: Double) -> String {
        let t = Int(s.rounded(.up))
        return t >= 3600 ? "\(t / 3600)h\(String(format: "%02d", (t % 3600) / 60))m" : "\(t / 60)m\(String(format: "%02d", t % 60))s"
    }
}
