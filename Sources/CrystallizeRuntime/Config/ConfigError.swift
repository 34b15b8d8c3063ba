/// A problem in a config file, named by file, line and key path.
public struct ConfigError: Error, CustomStringConvertible {
    /// "file:line: key.path: message".
    public var description: String
    /// An error at a location.
    public init(file: String, line: Int?, path: String, _ message: String) {
        let loc = line.map { "\(file):\($0)" } ?? file
        description = path.isEmpty ? "\(loc): \(message)" : "\(loc): \(path): \(message)"
    }
}
