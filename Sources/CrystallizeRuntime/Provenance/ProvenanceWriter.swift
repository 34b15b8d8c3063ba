import Foundation
import OrderedCollections

/// Writes `vN/provenance.json`: what ran, with what, where and when. The per-(replicate,
/// condition) step records are not copied into it: they already sit, checksummed, in the
/// run's checkpoint journal, which the document names under `records`; `ProvenanceDocument`
/// joins the two into crystallize-ml's shape.
enum ProvenanceWriter {
    /// The format name written under `records`, so a reader knows what the journal holds.
    static let recordsFormat = "crystallize-journal/2"

    static func write(plan: Plan, store: RunStore, version: Int, started: String, outcome: String,
                      hypotheses: [HypothesisOutcome], cache: StepCache?, git: GitInfo? = nil) throws {
        let counts = cache?.counts ?? (0, 0)
        var doc: OrderedDictionary<String, Value> = [
            "experiment": .string(plan.name), "version": .int(Int64(version)),
            "pipeline_signature": .string(plan.pipelineSignature),
            "pipeline": .list(plan.allSteps.map { s in
                let declared = s.function.params.filter { $0.name != "data" }
                return .map(["name": .string(s.name), "function": .string(s.function.name), "params": .map(s.explicitParams),
                             "declared_params": .list(declared.map { .string($0.name) }),
                             "param_defaults": .map(OrderedDictionary(uniqueKeysWithValues: declared.compactMap { p in p.defaultValue.map { (p.name, $0) } })),
                             "step_hash": .string(s.identity), "cacheable": .bool(s.cacheable), "library": .string(s.function.libraryPath),
                             "library_sha256": .string(s.function.binarySHA256)])
            }),
            "replicates": .int(Int64(plan.replicates)), "seed": .int(Int64(plan.seed)),
            "conditions": .list(plan.conditions.map { .string($0.name) }),
            // Every record carries its seed_used; the rule is written once instead of a list per replicate.
            "seed_rule": .string("(seed + replicate * 31337) mod 2^32"),
            "random_streams": .string(plan.randomStreams.rawValue),
            "random_stream_rule": .string(plan.randomStreams == .common ? "(seed_used, stage position): the same in every condition"
                                                                         : "(seed_used, condition, step name)"),
            "treatments": RunMetadata.treatments(plan),
            "execution": .map(["strategy": .string(plan.execution.strategy), "workers": .int(Int64(plan.execution.workers))]),
            "host": .map(["version": .string(HostInfo.version), "abi": .string(HostInfo.abi), "hostname": .string(HostInfo.hostname)]),
            "plugins": .list(plan.registry.plugins.map { .map(["name": .string($0.name), "version": .string($0.version), "path": .string($0.realPath), "sha256": .string($0.sha256)]) }),
            "config": .map(["path": .string(plan.configPath), "sha256": .string(plan.configSHA256)]),
            "data_hashes": .bool(plan.recordsDataHashes),
            "overrides": .map(["set": .list(plan.settings.map { .string($0.description) }), "toggles": plan.toggles.json]),
            "started": .string(started), "finished": .string(HostInfo.now()), "outcome": .string(outcome),
            "cache": .map(["enabled": .bool(plan.cacheEnabled), "hits": .int(Int64(counts.0)), "misses": .int(Int64(counts.1))]),
            "hypotheses": .list(hypotheses.map(\.json)),
            "records": .map(["journal": .string(RunStore.journalFileName), "format": .string(recordsFormat)]),
            // Each replicate's kept logs (step logs, worker output, every cluster attempt's log).
            "logs": .map(OrderedDictionary(uniqueKeysWithValues: RunLogs.census(store.versionDirectory(version)).map { (String($0.replicate), Value.list($0.files.map { .string($0) })) })),
        ]
        // The code version of the experiment folder; absent outside a repository.
        if let git { doc["git"] = git.json }
        try AtomicFile.write(store.provenancePath(version), text: JSONText.encode(.map(doc), indent: 2))
    }
}
