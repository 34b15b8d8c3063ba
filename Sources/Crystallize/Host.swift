@_exported import CCrystallize

/// The host's function table, set when the host calls the plugin's entry point.
///
/// Each plugin library carries its own copy of the SDK, so this is per plugin.
nonisolated(unsafe) var hostTable: UnsafePointer<crys_host>!

/// The host table, for plugins that want to call the C API directly.
public var crystallizeHost: UnsafePointer<crys_host> { hostTable }

/// An error a plugin callback throws; its message is handed to the host.
public struct PluginFailure: Error, CustomStringConvertible {
    /// The message the host will show.
    public var description: String
    /// A failure with `message`.
    public init(_ message: String) { description = message }
}

/// A failed host call whose reason the host has already recorded for this callback: thrown
/// out of the callback, the host's message is what the run shows, not this one.
struct HostReportedFailure: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Copies a Swift string into storage that lives for the rest of the process: descriptor
/// strings must outlive every use the host makes of them.
func permanent(_ s: String?) -> UnsafePointer<CChar>? {
    guard let s else { return nil }
    return UnsafePointer(strdup(s))
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the running host's table has `member` (one appended by a later minor): Swift's
/// spelling of CRYS_HOST_HAS.
public func hostHas<T>(_ member: KeyPath<crys_host, T>, in host: UnsafePointer<crys_host> = crystallizeHost) -> Bool {
    guard let offset = MemoryLayout<crys_host>.offset(of: member) else { return false }
    return Int(host.pointee.size) >= offset + MemoryLayout<T>.size
}

/// Declines to load from the entry point with `reason`, which the host prints naming the
/// file (ABI 1.1; an older host just reports that the entry returned no descriptor).
///
/// ```swift
/// guard gpuAvailable() else { return declineToLoad(host, "no GPU found") }
/// ```
public func declineToLoad(_ host: UnsafePointer<crys_host>, _ reason: String) -> UnsafePointer<crys_plugin>? {
    if hostHas(\.decline, in: host) { reason.withCString { host.pointee.decline($0) } }
    return nil
}
