import Foundation
import OrderedCollections

/// The on-disk layout of one experiment's runs, in crystallize-ml's shape:
/// `data/<exp>/vN/{metadata.json,_manifest.json}`, `vN/<condition>/{results.json,.crystallize_complete}`,
/// `vN/replicate_<r>/<condition>/<step>/<artifact>`; plus our `vN/provenance.json` and the
/// checkpoint journal `vN/replicates.journal`, which also holds the step records provenance.json names.
public struct RunStore {
    /// The checkpoint journal's file name inside a version folder.
    public static let journalFileName = "replicates.journal"
    /// The provenance document's file name inside a version folder.
    public static let provenanceFileName = "provenance.json"

    /// `data/<exp>`.
    public let experimentDirectory: String

    /// The store of `experiment` under `dataRoot`.
    public init(dataRoot: String, experiment: String) {
        experimentDirectory = (dataRoot as NSString).appendingPathComponent(experiment)
    }

    /// Version numbers present, ascending.
    public func versions() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: experimentDirectory)) ?? []
        return names.compactMap { $0.hasPrefix("v") ? Int($0.dropFirst()) : nil }.sorted()
    }

    /// The versions whose metadata.json says one of `statuses`, in order.
    public func versions(withStatus statuses: Set<String>) -> [Int] {
        versions().filter { v in
            guard let meta = try? readMetadata(v), case .string(let status)? = meta["status"] else { return false }
            return statuses.contains(status)
        }
    }

    /// `data/<exp>/vN`.
    public func versionDirectory(_ v: Int) -> String { "\(experimentDirectory)/v\(v)" }
    /// metadata.json of a version.
    public func metadataPath(_ v: Int) -> String { "\(versionDirectory(v))/metadata.json" }
    /// The checkpoint journal of a version.
    public func journalPath(_ v: Int) -> String { "\(versionDirectory(v))/\(RunStore.journalFileName)" }
    /// results.json of a condition.
    public func resultsPath(_ v: Int, _ condition: String) -> String { "\(versionDirectory(v))/\(condition)/results.json" }
    /// The completion marker of a condition.
    public func markerPath(_ v: Int, _ condition: String) -> String { "\(versionDirectory(v))/\(condition)/.crystallize_complete" }
    /// provenance.json of a version.
    public func provenancePath(_ v: Int) -> String { "\(versionDirectory(v))/\(RunStore.provenanceFileName)" }
    /// The strategies' private work folder of a version.
    public func workDirectory(_ v: Int) -> String { Self.workDirectory(versionDirectory: versionDirectory(v)) }
    /// The strategies' private work folder inside a version folder.
    public static func workDirectory(versionDirectory: String) -> String { "\(versionDirectory)/.work" }

    /// Reads metadata.json, or nil if missing; a damaged file is an error naming it.
    public func readMetadata(_ v: Int) throws -> OrderedDictionary<String, Value>? {
        let p = metadataPath(v)
        guard FileManager.default.fileExists(atPath: p) else { return nil }
        guard case .map(let m) = try JSONText.parseFile(p) else { throw StoreError("\(p) is not a JSON object") }
        return m
    }

    /// Whether every condition of version `v` has results and its marker.
    public func isComplete(_ v: Int, conditions: [String]) -> Bool {
        conditions.allSatisfy { FileManager.default.fileExists(atPath: markerPath(v, $0)) && FileManager.default.fileExists(atPath: resultsPath(v, $0)) }
    }

    /// Reads a condition's metrics from results.json; a damaged file is an error naming it.
    public func readResults(_ v: Int, _ condition: String) throws -> OrderedDictionary<String, [Value]> {
        let p = resultsPath(v, condition)
        guard case .map(let m) = try JSONText.parseFile(p), case .map(let metrics)? = m["metrics"] else {
            throw StoreError("\(p) has no \"metrics\" object")
        }
        var out = OrderedDictionary<String, [Value]>()
        for (k, v) in metrics {
            guard case .list(let l) = v else { throw StoreError("\(p): metric '\(k)' is not a list") }
            out[k] = l
        }
        return out
    }

    /// Writes a condition's results.json (crystallize-ml's `{"metrics": {...}}`, plus
    /// `errors` when some replicates failed), then its marker when it is complete.
    public func writeResults(_ v: Int, _ condition: String, metrics: OrderedDictionary<String, [Value]>,
                             errors: [ConditionOutcome], complete: Bool) throws {
        var body: OrderedDictionary<String, Value> = ["metrics": .map(metrics.mapValues { .list($0) })]
        if !errors.isEmpty {
            body["errors"] = .list(errors.map { o in
                .map(["replicate": .int(Int64(o.replicate)), "condition": .string(o.condition), "step": .string(o.failure?.step ?? ""),
                       "message": .string(o.failure?.message ?? "")])
            })
        }
        try? FileManager.default.removeItem(atPath: markerPath(v, condition))
        try AtomicFile.write(resultsPath(v, condition), text: JSONText.encode(.map(body)))
        if complete { try AtomicFile.write(markerPath(v, condition), text: "") }
    }

    /// `_manifest.json` of a version.
    public func manifestPath(_ v: Int) -> String { "\(versionDirectory(v))/_manifest.json" }

    /// Writes crystallize-ml's `_manifest.json`: artifact file name to the step folder that
    /// wrote it, found on disk so artifacts written by worker processes count too.
    public func writeManifest(_ v: Int) throws {
        var manifest = OrderedDictionary<String, Value>()
        let dir = versionDirectory(v)
        let fm = FileManager.default
        for rep in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter({ $0.hasPrefix("replicate_") }).sorted() {
            for cond in ((try? fm.contentsOfDirectory(atPath: "\(dir)/\(rep)")) ?? []).sorted() {
                for step in ((try? fm.contentsOfDirectory(atPath: "\(dir)/\(rep)/\(cond)")) ?? []).sorted() {
                    for file in ((try? fm.contentsOfDirectory(atPath: "\(dir)/\(rep)/\(cond)/\(step)")) ?? []).sorted() where !file.hasPrefix(".") {
                        if manifest[file] == nil { manifest[file] = .string(step) }
                    }
                }
            }
        }
        try AtomicFile.write(manifestPath(v), text: JSONText.encode(.map(manifest)))
    }

    /// Reads `_manifest.json` (artifact file name to step folder), empty when missing.
    public func readManifest(_ v: Int) -> OrderedDictionary<String, String> {
        guard case .map(let m)? = try? JSONText.parseFile(manifestPath(v)) else { return [:] }
        return m.compactMapValues { if case .string(let s) = $0 { return s }; return nil }
    }
}
