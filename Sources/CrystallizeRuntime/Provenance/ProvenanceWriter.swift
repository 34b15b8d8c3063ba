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
        let counts = cache?.counts ?? (0, 0)
        let doc: Value = .map([
            "experiment": .string(plan.name), "version": .int(Int64(version)),
            "pipeline_signature": .string(plan.pipelineSignature),
            "pipeline": .list(plan.allSteps.map { s in
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
        ])
        // Splice in the per-(replicate, condition) records as their checkpoint bytes: no re-encoding.
        var w = JSONWriter(indent: 0, tagged: true)
        w.write(doc, level: 0)
        var out = w.out
        out.removeLast()
        out.append(contentsOf: Array(", \"runs\": [".utf8))
        var first = true
        for r in 0..<plan.replicates {
            for c in plan.conditions {
                guard let bytes = collector.encodedOutcome(r, c.name) else { continue }
                if !first { out.append(44); out.append(32) }
                first = false
                out.append(contentsOf: bytes)
            }
        }
        out.append(contentsOf: Array("]}".utf8))
        try AtomicFile.write(store.provenancePath(version), bytes: out)
    }
}
