/// The report's stylesheet: system fonts, colours as variables with a dark set under
/// `prefers-color-scheme: dark`, and the plot classes the SVG builders use. Nothing is fetched.
enum ReportStyle {
    static let css = """
    :root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #5b6470; --grid: #e3e6ea; --axis: #8a939e;
      --panel: #f5f7f9; --border: #d5dae0; --bad: #c62828; --good: #2e7d32;
      --c0: #1f6feb; --c1: #e36209; --c2: #2da44e; --c3: #bf3989; --c4: #8250df; --c5: #0598bc; --c6: #9a6700; --c7: #cf222e; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --grid: #262c34; --axis: #6e7681; --panel: #161b22; --border: #30363d;
        --bad: #f85149; --good: #3fb950;
        --c0: #58a6ff; --c1: #f0883e; --c2: #56d364; --c3: #f778ba; --c4: #bc8cff; --c5: #39c5cf; --c6: #d29922; --c7: #ff7b72; }
    }
    body { background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
    h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--border); padding-bottom: 4px; }
    .muted, .note { color: var(--muted); } .note { font-size: 13px; }
    table { border-collapse: collapse; margin: 6px 0 12px; } th, td { border: 1px solid var(--border); padding: 3px 8px; text-align: left; vertical-align: top; }
    th { background: var(--panel); } td.num { text-align: right; font-variant-numeric: tabular-nums; }
    code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; word-break: break-all; }
    .yes { color: var(--good); font-weight: 600; } .no { color: var(--muted); } .bad { color: var(--bad); }
    .plots { display: flex; flex-wrap: wrap; gap: 12px; } figure { margin: 0; background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 8px; }
    figcaption { font-size: 13px; color: var(--muted); margin-top: 2px; }
    svg text { fill: var(--fg); font: 12px system-ui, sans-serif; } svg .tick { fill: var(--muted); } svg .small { font-size: 11px; }
    svg .axis-label { fill: var(--fg); font-weight: 600; }
    svg .grid { stroke: var(--grid); stroke-width: 1; } svg .axis { stroke: var(--axis); stroke-width: 1.2; }
    svg .condition { color: var(--c0); } svg .c1 { color: var(--c1); } svg .c2 { color: var(--c2); } svg .c3 { color: var(--c3); }
    svg .c4 { color: var(--c4); } svg .c5 { color: var(--c5); } svg .c6 { color: var(--c6); } svg .c7 { color: var(--c7); }
    svg .pt { fill: currentColor; fill-opacity: 0.7; stroke: var(--bg); stroke-width: 0.6; }
    svg .bin { fill: currentColor; fill-opacity: 0.55; }
    svg .iqr { fill: currentColor; fill-opacity: 0.18; stroke: currentColor; stroke-width: 1.4; }
    svg .median, svg .whisker, svg .interval { stroke: currentColor; stroke-width: 1.6; }
    svg .mean-mark { fill: var(--fg); }
    svg .span { fill: currentColor; fill-opacity: 0.75; } svg .span.failed { fill: var(--bad); }
    svg .edge { stroke: var(--axis); stroke-width: 1.5; } svg .arrowhead { fill: var(--axis); }
    svg .node rect { fill: var(--panel); stroke: var(--border); stroke-width: 1.4; } svg .node.self rect { stroke: var(--c0); stroke-width: 2.2; }
    nav a { margin-right: 12px; } a { color: var(--c0); }
    """
}
