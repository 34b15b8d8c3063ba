import Foundation
import OrderedCollections

/// `vN/optimization.json`, written atomically after every trial run:
///
/// ```
/// { "format": 1, "experiment", "version", "status": running|complete|complete_with_failures|cancelled|failed,
///   "started", "updated", "pipeline_signature", "baseline": {context additions},
///   "spec": {optimizer, trials, replicates_per_trial, objective: {metric, direction}, params, seed, ...},
///   "budget": {"treatment_replicates", "baseline_replicates"}, "failures",
///   "rounds": [{round, folder, replicates: [from, to], trials: [names], loaded_from_disk}],
///   "trials": [{trial, candidate, round, params, replicates, objective, standard_error, values, hypotheses}],
///   "best": {the best trial entry} | null }
/// ```
/// `trials` is the history in evaluation order (a candidate extended by halving appears once
/// per round, with its objective over all its replicates so far); `objective` is the mean of
/// the objective metric, null when no replicate measured it.
struct OptimizationRecord {
    static let fileName = "optimization.json"
    var experiment: String
    var version = 0
    var pipelineSignature: String
    var baseline: OrderedDictionary<String, Value>
    var spec: Value
    var started = HostInfo.now()
    var rounds: [Value] = []
    var history: [TrialReport] = []
    var best: TrialReport? = nil
    var treatmentReplicates = 0
    var baselineReplicates = 0
    var failures = 0

    init(plan: Plan, spec: OptimizeSpec) {
        experiment = plan.name
        pipelineSignature = plan.pipelineSignature
        baseline = plan.conditions[0].additions
        self.spec = spec.json
    }

    static func roundFolder(_ k: Int) -> String { String(format: "round_%03d", k) }

    /// Whether an earlier record describes the same search (resume continues it).
    func matches(_ other: OptimizationRecord) -> Bool {
        experiment == other.experiment && pipelineSignature == other.pipelineSignature && baseline == other.baseline && spec == other.spec
    }

    static func entry(_ r: TrialReport) -> Value {
        .map(["trial": .string(r.request.name), "candidate": .int(Int64(r.request.candidate)), "round": .int(Int64(r.round)),
              "params": .map(r.request.params), "replicates": .int(Int64(r.request.replicates)),
              "objective": r.mean.map { .double($0) } ?? .null, "standard_error": r.standardError.map { .double($0) } ?? .null,
              "values": .list(r.values.map { .double($0) }), "hypotheses": .map(r.hypotheses)])
    }

    func json(status: String) -> Value {
        .map(["format": .int(1), "experiment": .string(experiment), "version": .int(Int64(version)), "status": .string(status),
              "started": .string(started), "updated": .string(HostInfo.now()), "pipeline_signature": .string(pipelineSignature),
              "baseline": .map(baseline), "spec": spec,
              "budget": .map(["treatment_replicates": .int(Int64(treatmentReplicates)), "baseline_replicates": .int(Int64(baselineReplicates))]),
              "failures": .int(Int64(failures)), "rounds": .list(rounds), "trials": .list(history.map(Self.entry)),
              "best": best.map(Self.entry) ?? .null])
    }

    /// Writes optimization.json and a metadata.json saying this version holds an optimization.
    func save(_ vdir: String, status: String) throws {
        try AtomicFile.write("\(vdir)/\(Self.fileName)", text: JSONText.encode(json(status: status), indent: 2))
        let meta: Value = .map(["name": .string(experiment), "version": .int(Int64(version)), "kind": .string("optimization"),
                                "status": .string(status), "started": .string(started), "pipeline_signature": .string(pipelineSignature),
                                "replicates": spec.mapValue("replicates_per_trial") ?? .null, "conditions": .list([]),
                                "optimize": spec])
        try AtomicFile.write("\(vdir)/metadata.json", text: JSONText.encode(meta, indent: 2))
    }

    /// The record in `vdir`, or nil when there is none (or it cannot be read).
    static func load(_ vdir: String) -> OptimizationRecord? {
        guard case .map(let m)? = try? JSONText.parseFile("\(vdir)/\(fileName)"),
              case .string(let exp)? = m["experiment"], case .string(let sig)? = m["pipeline_signature"],
              case .map(let baseline)? = m["baseline"], let spec = m["spec"] else { return nil }
        var r = OptimizationRecord(experiment: exp, pipelineSignature: sig, baseline: baseline, spec: spec)
        if case .string(let s)? = m["started"] { r.started = s }
        if case .list(let t)? = m["trials"] { r.history = t.compactMap(Self.report) }
        return r
    }

    private init(experiment: String, pipelineSignature: String, baseline: OrderedDictionary<String, Value>, spec: Value) {
        self.experiment = experiment; self.pipelineSignature = pipelineSignature; self.baseline = baseline; self.spec = spec
    }

    static func report(_ v: Value) -> TrialReport? {
        guard case .map(let m) = v, case .int(let c)? = m["candidate"], case .map(let p)? = m["params"], case .int(let n)? = m["replicates"] else { return nil }
        var values: [Double] = []
        if case .list(let l)? = m["values"] { values = l.compactMap(\.asDouble) }
        var hyp = OrderedDictionary<String, Value>()
        if case .map(let h)? = m["hypotheses"] { hyp = h }
        var round = 0
        if case .int(let k)? = m["round"] { round = Int(k) }
        return TrialReport(request: TrialRequest(candidate: Int(c), params: p, replicates: Int(n)), mean: m["objective"]?.asDouble,
                           standardError: m["standard_error"]?.asDouble, values: values, hypotheses: hyp, round: round)
    }
}

extension Value {
    /// The entry `key` of a map value.
    func mapValue(_ key: String) -> Value? { if case .map(let m) = self { return m[key] }; return nil }
}
