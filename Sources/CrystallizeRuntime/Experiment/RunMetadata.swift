import Foundation
import OrderedCollections

/// The contents of metadata.json: crystallize-ml's `replicates`, `id` and `name`, plus what
/// resume compares (signature, treatments, seed, outputs, upstream runs read) and a run id
/// that consumers record to notice that this experiment ran again.
enum RunMetadata {
    static func treatments(_ plan: Plan) -> Value {
        .map(OrderedDictionary(uniqueKeysWithValues: plan.conditions.map { ($0.name, Value.map($0.additions)) }))
    }

    /// Declared outputs; with a version folder, each also records how many files it has there.
    static func outputs(_ plan: Plan, versionDirectory: String?) -> Value {
        .map(plan.outputs.mapValues { spec in
            var o: OrderedDictionary<String, Value> = ["file_name": .string(spec.fileName), "codec": .string(spec.codec)]
            if let dir = versionDirectory { o["files"] = .int(Int64(ArtifactCensus.count(versionDirectory: dir, fileName: spec.fileName))) }
            return .map(o)
        })
    }

    /// Outputs without their file counts, for comparing declarations.
    static func outputSpecs(_ v: Value?) -> Value {
        guard case .map(let m)? = v else { return .map([:]) }
        return .map(m.mapValues { o in
            guard case .map(let fields) = o else { return o }
            return .map(fields.filter { $0.key != "files" })
        })
    }

    /// Unique per run of an experiment: the start stamp has one-second resolution, so the
    /// process and a per-process nonce tell apart two runs started in the same second.
    static func runID(plan: Plan, version: Int, started: String) -> String {
        String(ValueHash.hex(.list([.string(plan.name), .int(Int64(version)), .string(started),
                                    .int(Int64(getpid())), .string(processNonce)])).prefix(16))
    }
    private static let processNonce = UUID().uuidString

    static func build(plan: Plan, version: Int, status: String, upstream: OrderedDictionary<String, Value>, started: String,
                      finished: String?, git: GitInfo? = nil) -> Value {
        let vdir = (plan.experimentDataDirectory as NSString).appendingPathComponent("v\(version)")
        var m: OrderedDictionary<String, Value> = [
            "replicates": .int(Int64(plan.replicates)), "id": .string(plan.pipelineSignature), "name": .string(plan.name),
            "version": .int(Int64(version)), "seed": .int(Int64(plan.seed)),
            "random_streams": .string(plan.randomStreams.rawValue),
            "pipeline_signature": .string(plan.pipelineSignature),
            "treatments": treatments(plan),
            "conditions": .list(plan.conditions.map { .string($0.name) }),
            "outputs": outputs(plan, versionDirectory: finished == nil ? nil : vdir),
            "upstream": .map(upstream),
            "config_sha256": .string(plan.configSHA256),
            "run_id": .string(runID(plan: plan, version: version, started: started)),
            "status": .string(status), "started": .string(started),
        ]
        if let f = finished { m["finished"] = .string(f) }
        if let git { m["git"] = git.json }
        return .map(m)
    }
}
