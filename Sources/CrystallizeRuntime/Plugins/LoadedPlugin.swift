import CCrystallize
import Foundation

/// A plugin library that passed every check and is loaded for the life of the process.
///
/// Libraries are never `dlclose`d: a Swift plugin's type metadata stays registered with the
/// Swift runtime, and unloading it would leave dangling references behind.
public final class LoadedPlugin {
    /// The path it was loaded from, as given.
    public let path: String
    /// The resolved absolute path.
    public let realPath: String
    /// sha256 of the library file: part of every step's identity for caching and resume.
    public let sha256: String
    /// The name from its descriptor.
    public let name: String
    /// The version string from its descriptor.
    public let version: String
    /// One-line documentation.
    public let doc: String?
    /// The ABI version it was built for.
    public let abiMajor: Int, abiMinor: Int
    /// Its exports, in descriptor order.
    public internal(set) var exports: [PluginExport] = []

    init(path: String, realPath: String, sha256: String, descriptor d: crys_plugin) {
        self.path = path
        self.realPath = realPath
        self.sha256 = sha256
        name = String(cString: d.name)
        version = d.version.map { String(cString: $0) } ?? ""
        doc = d.doc.map { String(cString: $0) }
        abiMajor = Int(d.abi_major)
        abiMinor = Int(d.abi_minor)
    }

    /// The export called `name` in this plugin.
    public func export(named name: String) -> PluginExport? { exports.first { $0.name == name } }
}
