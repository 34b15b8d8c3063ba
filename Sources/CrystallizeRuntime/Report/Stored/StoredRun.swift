import Foundation
import OrderedCollections

/// One stored run read back from its version folder through the store's readers: metadata,
/// provenance, every (replicate, condition)'s metrics from the checkpoint journal (results.json
/// when no journal is left), failures, hypotheses, git state and per-replicate durations when
/// the run recorded events. What `report`, `compare`, `show --format` and the dashboard show.
public struct StoredRun {
    /// The experiment's name.
    public var experiment: String
    /// The version number.
    public var version: Int
    /// The version folder.
    public var directory: String
    /// metadata.json.
    public var metadata: OrderedDictionary<String, Value>
    /// provenance.json (empty while the run is still going or when it never finished).
    public var provenance: OrderedDictionary<String, Value>
    /// Conditions, baseline first.
    public var conditions: [String]
    /// Metric names in order of first appearance.
    public var metricNames: [String]
    /// Successful (replicate, condition) outcomes: replicate, condition and metric values.
    public var rows: [MetricRow]
    /// Failed (replicate, condition)s.
    public var failures: [FailureRow]
    /// Hypothesis results as provenance.json holds them.
    public var hypotheses: [OrderedDictionary<String, Value>]
    /// The experiment folder's git state when the run started, if it was in a repository.
    public var git: GitInfo?
    /// Per-(replicate, condition) timing, from the run's event log; empty when none was recorded.
    public var timings: [ReplicateTiming]
    /// Where a metric list came from ("journal" or "results.json"), for the report to say.
    public var source: String

    /// One successful (replicate, condition) and its metrics.
    public struct MetricRow {
        /// Replicate index.
        public var replicate: Int
        /// Condition name.
        public var condition: String
        /// Metric name to its recorded values (usually one per replicate).
        public var metrics: OrderedDictionary<String, [Value]>
    }

    /// One failed (replicate, condition).
    public struct FailureRow: Equatable {
        /// Replicate index.
        public var replicate: Int
        /// Condition name.
        public var condition: String
        /// The failing step.
        public var step: String
        /// Why.
        public var message: String
    }

    /// The run's status in metadata.json ("running", "complete", …).
    public var status: String { metadata.string("status") ?? "unknown" }
    /// The planned replicate count.
    public var replicates: Int { metadata.int("replicates") ?? 0 }

    /// Numeric values of `metric` in `condition`, one entry per successful replicate (a
    /// replicate that recorded several values contributes their mean: one point per replicate).
    public func values(_ metric: String, condition: String) -> [(replicate: Int, value: Double)] {
        rows.compactMap { r in
            guard r.condition == condition, let vs = r.metrics[metric] else { return nil }
            let ds = vs.compactMap(\.asDouble)
            guard !ds.isEmpty else { return nil }
            return (r.replicate, ds.reduce(0, +) / Double(ds.count))
        }
    }

    /// Reads the run in `directory` (a version folder holding metadata.json); its timings come
    /// from the event logs in the folder (`*.jsonl`) and from `eventLogs` (files `run --events` wrote).
    public static func load(directory: String, eventLogs: [String] = []) throws -> StoredRun {
        let fm = FileManager.default
        let metaPath = "\(directory)/metadata.json"
        guard fm.fileExists(atPath: metaPath) else { throw StoreError("\(directory) is not a run folder: it has no metadata.json") }
        guard case .map(let meta) = try JSONText.parseFile(metaPath) else { throw StoreError("\(metaPath) is not a JSON object") }
        let experiment = meta.string("name") ?? ((directory as NSString).deletingLastPathComponent as NSString).lastPathComponent
        let version = meta.int("version") ?? Int(((directory as NSString).lastPathComponent).dropFirst()) ?? 0
        var provenance = OrderedDictionary<String, Value>()
        let provPath = "\(directory)/\(RunStore.provenanceFileName)"
        if fm.fileExists(atPath: provPath) {
            guard case .map(let p) = try JSONText.parseFile(provPath) else { throw StoreError("\(provPath) is not a JSON object") }
            provenance = p
        }
        let conditions = meta.strings("conditions") ?? provenance.strings("conditions") ?? []
        var run = StoredRun(experiment: experiment, version: version, directory: directory, metadata: meta, provenance: provenance,
                            conditions: conditions, metricNames: [], rows: [], failures: [], hypotheses: [],
                            git: GitInfo(json: meta["git"] ?? provenance["git"]), timings: [], source: "journal")
        try run.readOutcomes()
        if case .list(let hs)? = provenance["hypotheses"] { run.hypotheses = hs.compactMap { if case .map(let m) = $0 { return m }; return nil } }
        for f in eventLogs where !FileManager.default.isReadableFile(atPath: f) { throw StoreError("event log \(f) cannot be read") }
        run.timings = RunEventLog.timings(files: RunEventLog.files(versionDirectory: directory) + eventLogs, experiment: experiment, version: version)
        return run
    }

    /// Fills rows and failures from the journal (latest outcome per (replicate, condition)),
    /// else from each condition's results.json.
    mutating func readOutcomes() throws {
        let journal = "\(directory)/\(RunStore.journalFileName)"
        var names = OrderedSet<String>()
        if FileManager.default.fileExists(atPath: journal) {
            var latest: [Int: [String: ConditionOutcome]] = [:]
            let limit = replicates > 0 ? replicates : Int.max
            for o in CheckpointJournal.read(journal).outcomes where o.replicate < limit && conditions.contains(o.condition) {
                latest[o.replicate, default: [:]][o.condition] = o
            }
            for r in latest.keys.sorted() {
                for c in conditions {
                    guard let o = latest[r]?[c] else { continue }
                    if let f = o.failure {
                        failures.append(FailureRow(replicate: r, condition: c, step: f.step, message: f.message))
                    } else {
                        let m = o.metrics
                        names.formUnion(m.keys)
                        rows.append(MetricRow(replicate: r, condition: c, metrics: m))
                    }
                }
            }
        } else {
            source = "results.json"
            let store = RunStore(dataRoot: ((directory as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent, experiment: experiment)
            for c in conditions where FileManager.default.fileExists(atPath: "\(directory)/\(c)/results.json") {
                let metrics = try store.readResults(version, c)
                names.formUnion(metrics.keys)
                let n = metrics.values.map(\.count).max() ?? 0
                // results.json lists values in replicate order without the failed ones: positions, not replicate numbers.
                for i in 0..<n { rows.append(MetricRow(replicate: i, condition: c, metrics: metrics.compactMapValues { i < $0.count ? [$0[i]] : nil })) }
                failures += Self.resultErrors("\(directory)/\(c)/results.json")
            }
        }
        metricNames = Array(names)
    }

    /// The `errors` list of a results.json.
    static func resultErrors(_ path: String) -> [FailureRow] {
        guard case .map(let m)? = try? JSONText.parseFile(path), case .list(let es)? = m["errors"] else { return [] }
        return es.compactMap { e in
            guard case .map(let f) = e else { return nil }
            return FailureRow(replicate: f.int("replicate") ?? -1, condition: f.string("condition") ?? "?", step: f.string("step") ?? "?", message: f.string("message") ?? "")
        }
    }
}

extension OrderedDictionary where Key == String, Value == CrystallizeRuntime.Value {
    /// The string at `key`, if it is one.
    func string(_ key: String) -> String? { if case .string(let s)? = self[key] { return s }; return nil }
    /// The integer at `key`, if it is one.
    func int(_ key: String) -> Int? { if case .int(let i)? = self[key] { return Int(i) }; return nil }
    /// The map at `key`, if it is one.
    func map(_ key: String) -> OrderedDictionary<String, CrystallizeRuntime.Value>? { if case .map(let m)? = self[key] { return m }; return nil }
    /// The list of strings at `key`, if it is one.
    func strings(_ key: String) -> [String]? {
        guard case .list(let l)? = self[key] else { return nil }
        return l.compactMap { if case .string(let s) = $0 { return s }; return nil }
    }
}
