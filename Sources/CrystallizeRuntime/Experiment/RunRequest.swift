import Foundation

/// Everything a worker process needs to rebuild the parent's run exactly: the config, the
/// plugins, the overrides and where the run writes. Saved as JSON in the run's work folder.
public struct RunRequest: Codable {
    /// The experiment folder or config file.
    public var target: String
    /// Command-line overrides (including --plugin paths).
    public var overrides: RunOverrides
    /// The version folder the run writes into.
    public var versionDirectory: String
    /// The step cache folder, or nil when caching is off.
    public var cacheDirectory: String?
    /// Working directory of the parent, so relative paths resolve alike.
    public var workingDirectory: String
    /// Whether the parent has event subscribers, so workers send it their run events (nil in
    /// requests from hosts that had no events: none are sent).
    public var forwardEvents: Bool?

    /// A request.
    public init(target: String, overrides: RunOverrides, versionDirectory: String, cacheDirectory: String?, workingDirectory: String,
                forwardEvents: Bool = false) {
        self.target = target; self.overrides = overrides; self.versionDirectory = versionDirectory
        self.cacheDirectory = cacheDirectory; self.workingDirectory = workingDirectory
        self.forwardEvents = forwardEvents ? true : nil
    }

    /// Writes the request atomically.
    public func save(_ path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(path, bytes: [UInt8](try enc.encode(self)))
    }

    /// Reads a request; errors name the file.
    public static func load(_ path: String) throws -> RunRequest {
        guard let d = FileManager.default.contents(atPath: path) else { throw StoreError("cannot read worker request \(path)") }
        do { return try JSONDecoder().decode(RunRequest.self, from: d) } catch { throw StoreError("\(path) is not a valid worker request: \(error)") }
    }
}
