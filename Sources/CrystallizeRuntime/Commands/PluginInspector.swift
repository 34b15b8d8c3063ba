/// Describes a plugin's exports for `crystallize-host inspect`, from its descriptor alone.
public enum PluginInspector {
    /// A readable listing of every export with its parameters and flags.
    public static func describe(_ p: LoadedPlugin) -> String {
        var lines = ["\(p.name) \(p.version) — ABI \(p.abiMajor).\(p.abiMinor)" + (p.doc.map { " — \($0)" } ?? ""),
                     "  file: \(p.realPath)", "  sha256: \(p.sha256)",
                     "  abi: needs \(p.abiMajor).\(p.abiMinor) (loads on hosts \(p.abiMajor).\(p.abiMinor) and later \(p.abiMajor).x), built with "
                        + (p.abiMinorBuilt > 0 ? "\(p.abiMajor).\(p.abiMinorBuilt)" : "1.0 (or does not say)")]
        if p.hasPluginState {
            let parts = [p.initFunction != nil ? "init" : nil, p.shutdownFunction != nil ? "shutdown" : nil].compactMap { $0 }
            lines.append("  plugin-wide state: \(parts.joined(separator: " + ")), once per process")
        }
        for kind in ExportKind.allCases {
            let es = p.exports.filter { $0.kind == kind }
            if es.isEmpty { continue }
            lines.append("")
            lines.append(kind == .strategy ? "strategies:" : "\(kind.rawValue)s:")
            for e in es {
                var flags: [String] = []
                if e.cacheable { flags.append("cacheable") }
                if e.threadSafe { flags.append("thread-safe") }
                if e.isAsync { flags.append("async") }
                if e.isTyped { flags.append("typed C function -> \(e.typedReturn?.rawValue ?? "void")") }
                if kind == .hook { flags.append("events: " + hookEvents(e.hookEvents)) }
                if kind == .codec {
                    if e.raw.encode != nil { flags.append("encode") }
                    if e.raw.decode != nil { flags.append("decode") }
                }
                lines.append("  \(e.name)" + (flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]") + (e.doc.map { " — \($0)" } ?? ""))
                for prm in e.params {
                    let def = prm.defaultValue.map { " = \(JSONText.encode($0))" } ?? (prm.name == "data" ? " (the step's input)" : " (required)")
                    lines.append("      \(prm.name): \(prm.type.rawValue)\(def)" + (prm.doc.map { " — \($0)" } ?? ""))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func hookEvents(_ bits: UInt32) -> String {
        let names = ["before_run", "before_replicate", "before_step", "after_step", "after_run"]
        return names.enumerated().filter { bits & (1 << UInt32($0.offset)) != 0 }.map(\.element).joined(separator: ", ")
    }
}
