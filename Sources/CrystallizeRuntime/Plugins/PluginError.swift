/// Why a plugin could not be loaded or used. Every message names the file.
public struct PluginError: Error, CustomStringConvertible {
    /// The full message.
    public var description: String
    /// A message about `path`.
    public init(_ path: String, _ message: String) { description = "plugin \(path): \(message)" }
    /// A message not tied to one file.
    public init(message: String) { description = message }
}
