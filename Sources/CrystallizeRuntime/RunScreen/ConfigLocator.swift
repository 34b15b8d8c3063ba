import Foundation

/// Finds the line of config.yaml that defines a step or a treatment, for `e` (open the
/// editor at the line).
enum ConfigLocator {
    /// The 1-based line defining `name` in the `section` ("steps", "datasource" or
    /// "treatments") of the YAML text, else the section's own line, else 1.
    static func line(in text: String, section: String, name: String?) -> Int {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("\(section):") }) else { return 1 }
        guard let name else { return start + 1 }
        if lines[start].contains(name) { return start + 1 }
        var i = start + 1
        while i < lines.count, lines[i].isEmpty || lines[i].hasPrefix(" ") || lines[i].hasPrefix("\t") || lines[i].hasPrefix("-") || lines[i].hasPrefix("#") {
            let t = lines[i].trimmingCharacters(in: .whitespaces)
            let bare = t.hasPrefix("- ") ? String(t.dropFirst(2)).trimmingCharacters(in: .whitespaces) : t
            if bare == name || bare.hasPrefix("\(name):") || bare == "step: \(name)" || bare == "name: \(name)" || bare == "datasource: \(name)" { return i + 1 }
            i += 1
        }
        return start + 1
    }
}
