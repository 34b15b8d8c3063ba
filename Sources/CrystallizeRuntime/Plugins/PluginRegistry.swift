import Foundation

/// Every loaded plugin, and name lookup across them.
///
/// A bare name must be unique across plugins; when two plugins export the same name, the
/// qualified form "plugin.name" picks one and the bare form is an error listing both.
public final class PluginRegistry {
    /// Loaded plugins, in load order.
    public private(set) var plugins: [LoadedPlugin] = []

    /// An empty registry.
    public init() {}

    /// Loads `path` unless the same file is already loaded.
    @discardableResult
    public func load(_ path: String) throws -> LoadedPlugin {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        if let existing = plugins.first(where: { $0.realPath == real }) { return existing }
        let plugin = try PluginLoader.load(path)
        if let other = plugins.first(where: { $0.name == plugin.name }) {
            throw PluginError(path, "is named '\(plugin.name)', like the already loaded \(other.path); plugin names must be unique")
        }
        plugins.append(plugin)
        return plugin
    }

    /// All exports of one kind, in load order.
    public func exports(of kind: ExportKind) -> [PluginExport] {
        plugins.flatMap { $0.exports.filter { $0.kind == kind } }
    }

    /// The export of `kind` called `name` ("name" or "plugin.name").
    public func find(_ kind: ExportKind, _ name: String) throws -> PluginExport {
        let candidates = exports(of: kind)
        if let exact = candidates.first(where: { $0.qualifiedName == name }) { return exact }
        let matches = candidates.filter { $0.name == name }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw PluginError(message: "\(kind.rawValue) '\(name)' is exported by several plugins: \(matches.map { "'\($0.qualifiedName)'" }.joined(separator: ", ")); write the qualified name")
        }
        let known = candidates.map(\.name)
        let list = known.isEmpty ? "no plugin loaded exports any \(kind.rawValue)" : "known \(kind.rawValue)s: \(known.joined(separator: ", "))"
        let loaded = plugins.isEmpty ? " (no plugins are loaded: pass --plugin PATH or list them under plugins: in config.yaml)" : ""
        throw PluginError(message: "unknown \(kind.rawValue) '\(name)'; \(list)\(loaded)")
    }

    /// Whether a `plugins:` entry names a library file ("lib/x.so", "libX.so") rather than a
    /// product to look for.
    static func isPath(_ entry: String) -> Bool {
        entry.contains("/") || entry.hasSuffix(".so") || entry.hasSuffix(".dylib")
    }

    /// Finds the library file for a plugin product name (e.g. "MySteps") in `.build/debug`,
    /// `.build/release` and each folder of `CRYSTALLIZE_PLUGIN_PATH`, relative to `base`.
    public static func locate(product: String, base: String) throws -> String {
        if isPath(product) {
            return product.hasPrefix("/") ? product : (base as NSString).appendingPathComponent(product)
        }
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["CRYSTALLIZE_PLUGIN_PATH"] {
            dirs += env.split(separator: ":").map(String.init)
        }
        var cur = URL(fileURLWithPath: base).standardizedFileURL
        // Walk up so an experiment folder finds the package's build products.
        for _ in 0..<6 {
            dirs.append(cur.appendingPathComponent(".build/debug").path)
            dirs.append(cur.appendingPathComponent(".build/release").path)
            cur.deleteLastPathComponent()
        }
        let names = ["lib\(product).so", "lib\(product).dylib", "\(product).so"]
        for d in dirs { for n in names {
            let p = (d as NSString).appendingPathComponent(n)
            if FileManager.default.fileExists(atPath: p) { return p }
        } }
        // Name every folder searched: "not found" alone leaves the user guessing which
        // .build or CRYSTALLIZE_PLUGIN_PATH entry was meant to hold it.
        var seen = Set<String>()
        let searched = dirs.filter { seen.insert($0).inserted }
        throw PluginError(message: "plugin '\(product)' not found; looked for lib\(product).so in CRYSTALLIZE_PLUGIN_PATH, then .build/debug and .build/release of the experiment folder and its parents: \(searched.joined(separator: ", ")) (build it with `swift build --product \(product)`, or set CRYSTALLIZE_PLUGIN_PATH)")
    }
}
