import Foundation
import Yams

/// Finds experiments (`experiments/**/config.yaml`) for `crystallize-host list`, reading only
/// their YAML: no plugin is loaded.
public enum ExperimentCatalog {
    /// One listed experiment.
    public struct Entry {
        /// The config file.
        public var path: String
        /// Its name.
        public var name: String
        /// Its replicate count.
        public var replicates: Int
        /// Its treatments.
        public var treatments: [String]
        /// A problem reading it, if any.
        public var problem: String?
    }

    /// Every config.yaml under `root`, sorted by path.
    public static func list(root: String) -> [Entry] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [Entry] = []
        while let rel = e.nextObject() as? String {
            guard (rel as NSString).lastPathComponent == "config.yaml" else { continue }
            let path = (root as NSString).appendingPathComponent(rel)
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let root = try YAMLNode.parse(text, file: path)
                var entry = Entry(path: path, name: "?", replicates: 1, treatments: [], problem: nil)
                var hidden = false
                for (k, v) in try root.mapping() {
                    switch k {
                    case "name": entry.name = try v.string()
                    case "replicates": entry.replicates = try v.int()
                    case "treatments": if !v.isNull { entry.treatments = try v.mapping().map(\.key) }
                    // crystallize-ml's `cli: {hidden: true}` keeps an experiment out of discovery.
                    case "cli": if !v.isNull { hidden = try v.mapping().first { $0.key == "hidden" }?.node.bool() ?? false }
                    default: break
                    }
                }
                if !hidden { out.append(entry) }
            } catch {
                out.append(Entry(path: path, name: "?", replicates: 0, treatments: [], problem: "\(error)"))
            }
        }
        return out.sorted { $0.path < $1.path }
    }
}
