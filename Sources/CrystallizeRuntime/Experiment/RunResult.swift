import Foundation
import OrderedCollections

/// What a run produced, for the summary, `--json` and tests.
public struct RunResult {
    /// Experiment name.
    public var experiment: String
    /// The version folder.
    public var version: Int
    /// Its path.
    public var versionDirectory: String
    /// Replicates per condition.
    public var replicates: Int
    /// Condition names, baseline first.
    public var conditions: [String]
    /// Condition to metric to values over replicates.
    public var metrics: OrderedDictionary<String, OrderedDictionary<String, [Value]>>
    /// Failed (replicate, condition) outcomes.
    public var failures: [ConditionOutcome]
    /// Hypothesis verdicts.
    public var hypotheses: [HypothesisOutcome]
    /// True when resume found a complete run and loaded it instead of running.
    public var loadedFromDisk: Bool
    /// Why resume ran anyway, if it did.
    public var rerunReason: String?
    /// (replicate, condition) pairs run in this invocation.
    public var executedConditions: Int
    /// Step cache hits and misses in this process.
    public var cacheHits: Int, cacheMisses: Int
    /// Whether Ctrl-C stopped the run.
    public var cancelled: Bool
    /// Wall time in seconds.
    public var elapsed: Double
    /// How the run stands (complete for a run resume loaded from disk).
    public var status: RunStatus = .complete
    /// The run screen's toggles this run applied (treatments off, steps uncached).
    public var toggles = ToggleState()
    /// The `--set` values this run applied, as written.
    public var settings: [String] = []

    /// (replicate, condition) runs that failed and were run again (`retries`).
    public var retried = 0
    /// Whether --fail-fast stopped scheduling at a failure.
    public var stoppedByFailFast = false

    /// Whether anything failed or the run was cut short.
    public var succeeded: Bool { failures.isEmpty && !cancelled }

    /// The JSON printed by `--json`.
    public var json: Value {
        var m: OrderedDictionary<String, Value> = [
            "experiment": .string(experiment), "version": .int(Int64(version)), "path": .string(versionDirectory),
            "replicates": .int(Int64(replicates)), "conditions": .list(conditions.map { .string($0) }),
            "metrics": .map(metrics.mapValues { .map($0.mapValues { .list($0) }) }),
            "hypotheses": .list(hypotheses.map(\.json)),
            "failures": .list(failures.map { .map(["replicate": .int(Int64($0.replicate)), "condition": .string($0.condition),
                                                    "step": .string($0.failure?.step ?? ""), "message": .string($0.failure?.message ?? "")]) }),
            "loaded_from_disk": .bool(loadedFromDisk), "executed_conditions": .int(Int64(executedConditions)),
            "cache": .map(["hits": .int(Int64(cacheHits)), "misses": .int(Int64(cacheMisses))]),
            "cancelled": .bool(cancelled), "elapsed_seconds": .double(elapsed),
        ]
        if let r = rerunReason { m["rerun_reason"] = .string(r) }
        m["retried"] = .int(Int64(retried))
        if stoppedByFailFast { m["stopped_by_fail_fast"] = .bool(true) }
        return .map(m)
    }

    /// `json` with NaN and infinities as null. Files keep Python's NaN (crystallize-ml reads
    /// them back), but stdout is read by jq and other strict JSON parsers, which refuse it.
    public var strictJSON: Value { Self.finite(json) }

    static func finite(_ v: Value) -> Value {
        switch v {
        case .double(let d) where !d.isFinite: return .null
        case .list(let l): return .list(l.map(finite))
        case .map(let m): return .map(m.mapValues(finite))
        case .doubles(let a) where UnsafeBufferPointer(start: a.base, count: a.count).contains(where: { !$0.isFinite }):
            return .list(UnsafeBufferPointer(start: a.base, count: a.count).map { finite(.double($0)) })
        default: return v
        }
    }
}
