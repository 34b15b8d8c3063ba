import CCrystallize
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loads plugin libraries and checks their descriptors before running any of their code
/// beyond the entry point.
public enum PluginLoader {
    /// Loads the library at `path`, calls its entry point and validates what it describes.
    public static func load(_ path: String) throws -> LoadedPlugin {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw PluginError(path, "no such file")
        }
        guard !isDir.boolValue else { throw PluginError(path, "is a directory, not a shared library") }
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let bytes = FileManager.default.contents(atPath: real) else { throw PluginError(path, "cannot be read") }
        guard bytes.count >= 4, bytes.prefix(4) == Data([0x7F, 0x45, 0x4C, 0x46]) || bytes.prefix(4) == Data([0xCF, 0xFA, 0xED, 0xFE]) else {
            throw PluginError(path, "is not a shared library (no ELF or Mach-O header)")
        }
        guard let handle = dlopen(real, RTLD_NOW | RTLD_LOCAL) else {
            let why = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw PluginError(path, "is not a loadable shared library: \(why)")
        }
        guard let sym = dlsym(handle, CRYS_ENTRY_SYMBOL) else {
            throw PluginError(path, "has no entry symbol '\(CRYS_ENTRY_SYMBOL)': is it a crystallize plugin? (Swift: use the SDK's entry macro or @_cdecl; C: CRYS_DEFINE_ENTRY)")
        }
        let entry = unsafeBitCast(sym, to: crys_entry_fn.self)
        let (returned, declined) = EntryCall.call(entry)
        guard let dp = returned else {
            if let reason = declined { throw PluginError(path, "declined to load: \(reason)") }
            throw PluginError(path, "its entry point returned no descriptor (and gave no reason with host->decline)")
        }
        let descriptor = try DescriptorReader.readPlugin(dp, path: path)
        let plugin = LoadedPlugin(path: path, realPath: real, sha256: ValueHash.hex(bytes: bytes), descriptor: descriptor)
        plugin.exports = try DescriptorReader.readExports(descriptor, plugin: plugin, path: path)
        return plugin
    }
}

/// Calls entry points one at a time, so `host->decline` (which has no ctx) knows whose reason
/// it is receiving.
enum EntryCall {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pendingDecline: String?

    /// Runs `entry` with the host table: its descriptor, and the reason it declined with.
    static func call(_ entry: crys_entry_fn) -> (UnsafePointer<crys_plugin>?, String?) {
        lock.lock()
        defer { lock.unlock() }
        pendingDecline = nil
        let d = entry(HostTable.pointer)
        return (d, pendingDecline)
    }

    /// `host->decline`: records the reason of the entry point running now.
    static func decline(_ reason: String) { pendingDecline = reason }
}
