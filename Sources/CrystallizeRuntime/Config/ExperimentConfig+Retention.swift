import Foundation
import OrderedCollections

extension ExperimentConfig {
    /// `versioned`, `artifact_retention` and `big_file_threshold_mb` (crystallize-ml's
    /// ArtifactPlugin options). As there, CRYSTALLIZE_ARTIFACT_RETENTION and
    /// CRYSTALLIZE_BIG_FILE_THRESHOLD_MB apply only when config.yaml leaves the key out.
    static func parseRetention(_ fields: OrderedDictionary<String, YAMLNode>,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RetentionSettings {
        var r = RetentionSettings()
        if let v = fields["versioned"] { r.versioned = try v.bool() }
        if let n = fields["artifact_retention"] {
            r.keep = try n.int()
            guard r.keep >= 1 else { throw n.error("artifact_retention must be at least 1") }
        } else if let env = environment["CRYSTALLIZE_ARTIFACT_RETENTION"] {
            guard let k = Int(env), k >= 1 else {
                throw ConfigError(file: "environment", line: nil, path: "CRYSTALLIZE_ARTIFACT_RETENTION", "must be an integer of at least 1, got '\(env)'")
            }
            r.keep = k
        }
        var mb: Double? = nil
        if let t = fields["big_file_threshold_mb"] {
            switch try t.value() {
            case .int(let i) where i >= 0: mb = Double(i)
            case .double(let d) where d >= 0 && d.isFinite: mb = d
            default: throw t.error("big_file_threshold_mb must be a number of megabytes, 0 or more (e.g. 10 or 0.5), got \(t.kind)")
            }
        } else if let env = environment["CRYSTALLIZE_BIG_FILE_THRESHOLD_MB"] {
            guard let d = Double(env), d >= 0, d.isFinite else {
                throw ConfigError(file: "environment", line: nil, path: "CRYSTALLIZE_BIG_FILE_THRESHOLD_MB", "must be a number of megabytes, 0 or more, got '\(env)'")
            }
            mb = d
        }
        if let mb { r.largeFileBytes = Int(mb * 1024 * 1024) }
        return r
    }
}
