import Foundation

/// Finds the config of an upstream experiment named in `experiment#artifact`: the
/// config.yaml under the experiments root whose `name` matches, else the folder of that name
/// (crystallize-ml's `root/<ref>/config.yaml`).
struct ExperimentFinder {
    let root: String
    private let byName: [String: [String]]

    init(root: String) {
        self.root = root
        var index: [String: [String]] = [:]
        for e in ExperimentCatalog.list(root: root) where e.problem == nil {
            let path = URL(fileURLWithPath: e.path).standardizedFileURL.path
            if !(index[e.name] ?? []).contains(path) { index[e.name, default: []].append(path) }
        }
        byName = index
    }

    /// The config file of `ref`, read by the config at `configPath` under `datasource.<key>`.
    func configPath(for ref: String, readBy configPath: String, key: String) throws -> String {
        let named = byName[ref] ?? []
        if named.count > 1 { throw ExperimentFinder.sameName(ref, named) }
        if let only = named.first { return only }
        let folder = (root as NSString).appendingPathComponent("\(ref)/config.yaml")
        if FileManager.default.fileExists(atPath: folder) { return URL(fileURLWithPath: folder).standardizedFileURL.path }
        let known = byName.keys.sorted()
        throw ConfigError(file: configPath, line: nil, path: "datasource.\(key)",
                          "no experiment named '\(ref)' under \(root) (no config.yaml there has name: \(ref), and \(folder) does not exist); known: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
    }

    /// Two configs with one name would write the same `data/<name>` folder, so every artifact of
    /// that experiment would be produced by two experiments.
    static func sameName(_ name: String, _ paths: [String]) -> ConfigError {
        ConfigError(file: paths.last ?? "?", line: nil, path: "name",
                    "artifacts of experiment '\(name)' would be produced by two experiments: \(paths.joined(separator: " and ")) are both named '\(name)' and write to the same data/\(name) folder; rename one")
    }
}
