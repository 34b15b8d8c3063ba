import Foundation
import OrderedCollections

/// Writes `vN/provenance.json`: what ran, with what, where and when, and per (replicate,
/// condition) every step's params, hashes, cache hit, context reads and writes and metrics.
enum ProvenanceWriter {
    static func write(plan: Plan, store: RunStore, version: Int, collector: OutcomeCollector, started: String, outcome: String,
                      hypotheses: [HypothesisOutcome], cache: StepCache?) throws {
        var seeds = OrderedDictionary<String, Value>()
        for c in plan.conditions {
            seeds[c.name] = .list((0..<plan.replicates).map { .int(Int64(plan.seedUsed(replicate: $0))) })
        }
        var runs: [Value] = []
        for r in 0..<plan.replicates {
            for c in plan.conditions {
                guard let o = collector.outcome(r, c.name) else { continue }
                var m: OrderedDictionary<String, Value> = ["replicate": .int(Int64(r)), "condition": .string(c.name),
                                                           "seed_used": .int(Int64(o.seedUsed)), "steps": .list(o.steps.map(\.json))]
                if !o.metricTags.isEmpty { m["metric_tags"] = .map(o.metricTags.mapValues { .list($0.map { .string($0) }) }) }
                if let f = o.failure { m["error"] = .map(["step": .string(f.step), "message": .string(f.message)]) }
                runs.append(.map(m))
            }
        }
        let counts = cache?.counts ?? (0, 0)
        let doc: Value = .map([
            "experiment": .string(plan.name), "version": .int(Int64(version)),
            "pipeline_signature": .string(plan.pipelineSignature),
            "pipeline": .list(([plan.datasource].compactMap { $0 } + plan.steps).map { s in
                .map(["name": .string(s.name), "function": .string(s.function.name), "params": .map(s.explicitParams),
                      "step_hash": .string(s.identity), "cacheable": .bool(s.cacheable), "library": .string(s.function.libraryPath),
                      "library_sha256": .string(s.function.binarySHA256)])
            }),
            "replicates": .int(Int64(plan.replicates)), "seed": .int(Int64(plan.seed)), "seeds": .map(seeds),
            "treatments": RunMetadata.treatments(plan),
            "execution": .map(["strategy": .string(plan.execution.strategy), "workers": .int(Int64(plan.execution.workers))]),
            "host": .map(["version": .string(HostInfo.version), "abi": .string(HostInfo.abi), "hostname": .string(HostInfo.hostname)]),
            "plugins": .list(plan.registry.plugins.map { .map(["name": .string($0.name), "version": .string($0.version), "path": .string($0.realPath), "sha256": .string($0.sha256)]) }),
            "config": .map(["path": .string(plan.configPath), "sha256": .string(plan.configSHA256)]),
            "started": .string(started), "finished": .string(HostInfo.now()), "outcome": .string(outcome),
            "cache": .map(["enabled": .bool(plan.cacheEnabled), "hits": .int(Int64(counts.0)), "misses": .int(Int64(counts.1))]),
            "hypotheses": .list(hypotheses.map(\.json)),
            "runs": .list(runs),
        ])
        try AtomicFile.write(store.provenancePath(version), text: JSONText.encode(doc))
    }
}
