import CCrystallize
import Foundation

/// Facts about this host recorded in provenance.
public enum HostInfo {
    /// The host's version.
    public static let version = "0.1.0"
    /// The ABI it speaks.
    public static let abi = "\(CRYS_ABI_MAJOR).\(CRYS_ABI_MINOR)"
    /// The machine's name.
    public static var hostname: String { ProcessInfo.processInfo.hostName }
    /// Now, as ISO 8601.
    public static func now() -> String { Date().formatted(Date.ISO8601FormatStyle()) }
}
