import Foundation

/// What the run screen's `x` and `l` keys switched off for one experiment: treatments that do
/// not run and steps whose cache is off. Kept in a small file beside config.yaml (never in
/// config.yaml itself), so later runs — from the screen or a plain `run` — apply them too.
public struct ToggleState: Codable, Equatable {
    /// Treatments switched off, in the order they were switched.
    public var disabledTreatments: [String] = []
    /// Steps (or the datasource) whose step cache is switched off.
    public var uncachedSteps: [String] = []

    /// Nothing switched off.
    public init(disabledTreatments: [String] = [], uncachedSteps: [String] = []) {
        self.disabledTreatments = disabledTreatments
        self.uncachedSteps = uncachedSteps
    }

    /// Whether nothing is switched off.
    public var isEmpty: Bool { disabledTreatments.isEmpty && uncachedSteps.isEmpty }

    /// The state file's name, beside config.yaml.
    public static let fileName = ".crystallize-toggles.json"

    /// The state file for the experiment whose config is `configPath`.
    public static func path(forConfig configPath: String) -> String {
        ((configPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(fileName)
    }

    /// The toggles stored beside `configPath` (none when there is no file). A damaged file is an
    /// error naming it and the way out, not a silent reset.
    public static func load(forConfig configPath: String) throws -> ToggleState {
        let p = path(forConfig: configPath)
        guard let data = FileManager.default.contents(atPath: p) else { return ToggleState() }
        do { return try JSONDecoder().decode(ToggleState.self, from: data) } catch {
            throw SettingError("\(p) is not a valid toggle state file (\(error)); delete it or run with --reset-toggles")
        }
    }

    /// Writes the toggles beside `configPath` atomically; an empty state removes the file.
    public func save(forConfig configPath: String) throws {
        let p = ToggleState.path(forConfig: configPath)
        if isEmpty { try? FileManager.default.removeItem(atPath: p); return }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(p, bytes: [UInt8](try enc.encode(self)))
    }

    /// Forgets the toggles stored beside `configPath`.
    public static func reset(forConfig configPath: String) throws {
        let p = path(forConfig: configPath)
        if FileManager.default.fileExists(atPath: p) { try FileManager.default.removeItem(atPath: p) }
    }

    /// Switches treatment `name` on if it was off, off if it was on.
    public mutating func toggleTreatment(_ name: String) {
        if let i = disabledTreatments.firstIndex(of: name) { disabledTreatments.remove(at: i) } else { disabledTreatments.append(name) }
    }

    /// Switches step `name`'s cache on if it was off, off if it was on.
    public mutating func toggleCache(_ step: String) {
        if let i = uncachedSteps.firstIndex(of: step) { uncachedSteps.remove(at: i) } else { uncachedSteps.append(step) }
    }

    /// One line for the summary ("toggles: treatment add_ten off; cache of add_delta off").
    public var summaryLine: String? {
        if isEmpty { return nil }
        var parts: [String] = []
        if !disabledTreatments.isEmpty { parts.append("treatment\(disabledTreatments.count > 1 ? "s" : "") \(disabledTreatments.joined(separator: ", ")) off") }
        if !uncachedSteps.isEmpty { parts.append("cache of \(uncachedSteps.joined(separator: ", ")) off") }
        return "toggles: " + parts.joined(separator: "; ") + " (from \(ToggleState.fileName); run --reset-toggles to forget)"
    }

    /// The toggles as recorded in provenance.
    var json: Value {
        .map(["disabled_treatments": .list(disabledTreatments.map(Value.string)), "uncached_steps": .list(uncachedSteps.map(Value.string))])
    }
}
