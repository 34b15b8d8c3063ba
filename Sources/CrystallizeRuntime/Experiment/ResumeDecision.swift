import Foundation
import OrderedCollections

/// crystallize-ml's resume rules. Resume re-runs when the pipeline signature changed (step
/// names, params, plugin binary), the treatments differ (names or payloads), an upstream
/// re-ran, or the marker or metadata is missing; we add a changed replicate count or seed.
enum ResumeDecision {
    enum Verdict {
        /// Complete and unchanged: load it.
        case load(version: Int)
        /// Unchanged but unfinished: run what is missing in this version.
        case continueRun(version: Int)
        /// Run afresh, for this reason.
        case rerun(reason: String)
    }

    static func decide(plan: Plan, store: RunStore, upstream: OrderedDictionary<String, Value>) -> Verdict {
        guard let v = store.versions().last else { return .rerun(reason: "no earlier run") }
        let meta: OrderedDictionary<String, Value>
        do {
            guard let m = try store.readMetadata(v) else { return .rerun(reason: "metadata.json is missing in v\(v)") }
            meta = m
        } catch { return .rerun(reason: "metadata.json of v\(v) is unreadable (\(error))") }
        if meta["pipeline_signature"] != .string(plan.pipelineSignature) { return .rerun(reason: "the pipeline signature changed (steps, parameters or plugin binaries)") }
        if meta["treatments"] != RunMetadata.treatments(plan) { return .rerun(reason: "the treatments differ from the stored run") }
        if meta["replicates"] != .int(Int64(plan.replicates)) { return .rerun(reason: "the replicate count changed") }
        if meta["seed"] != .int(Int64(plan.seed)) { return .rerun(reason: "the seed changed") }
        if (meta["upstream"] ?? .map([:])) != .map(upstream) { return .rerun(reason: "an upstream experiment re-ran") }
        if store.isComplete(v, conditions: plan.conditions.map(\.name)) {
            for name in plan.outputs.values.map(\.fileName) where !artifactExists(store.versionDirectory(v), name) {
                return .rerun(reason: "artifact '\(name)' is missing from v\(v)")
            }
            return .load(version: v)
        }
        if FileManager.default.fileExists(atPath: store.journalPath(v)) { return .continueRun(version: v) }
        return .rerun(reason: "the completion marker is missing in v\(v)")
    }

    static func artifactExists(_ versionDir: String, _ fileName: String) -> Bool {
        guard let e = FileManager.default.enumerator(atPath: versionDir) else { return false }
        while let p = e.nextObject() as? String { if (p as NSString).lastPathComponent == fileName { return true } }
        return false
    }
}

/// The contents of metadata.json.
enum RunMetadata {
    static func treatments(_ plan: Plan) -> Value {
        .map(OrderedDictionary(uniqueKeysWithValues: plan.conditions.map { ($0.name, Value.map($0.additions)) }))
    }

    static func build(plan: Plan, version: Int, status: String, upstream: OrderedDictionary<String, Value>, started: String,
                      finished: String?) -> Value {
        var m: OrderedDictionary<String, Value> = [
            "replicates": .int(Int64(plan.replicates)), "id": .string(plan.pipelineSignature), "name": .string(plan.name),
            "version": .int(Int64(version)), "seed": .int(Int64(plan.seed)),
            "pipeline_signature": .string(plan.pipelineSignature),
            "treatments": treatments(plan),
            "conditions": .list(plan.conditions.map { .string($0.name) }),
            "outputs": .map(plan.outputs.mapValues { .map(["file_name": .string($0.fileName), "codec": .string($0.codec)]) }),
            "upstream": .map(upstream),
            "config_sha256": .string(plan.configSHA256),
            "status": .string(status), "started": .string(started),
        ]
        if let f = finished { m["finished"] = .string(f) }
        return .map(m)
    }
}
