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
    /// The ABI major it was built for, and the minor it needs (the lowest host minor it runs on).
    public let abiMajor: Int, abiMinor: Int
    /// The minor of the header it was compiled with (0 when it does not say: built before 1.1).
    public let abiMinorBuilt: Int
    /// Its plugin-wide init and shutdown (ABI 1.1), run once per process by `PluginState`.
    let initFunction: crys_plugin_init_fn?
    let shutdownFunction: crys_plugin_shutdown_fn?
    let user: UnsafeMutableRawPointer?
    /// Whether the descriptor has a plugin-wide init or shutdown.
    public var hasPluginState: Bool { initFunction != nil || shutdownFunction != nil }
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
        abiMinorBuilt = Int(d.abi_minor_built)
        initFunction = d.`init`
        shutdownFunction = d.shutdown
        user = d.user
    }

    /// The export called `name` in this plugin.
    public func export(named name: String) -> PluginExport? { exports.first { $0.name == name } }
}
