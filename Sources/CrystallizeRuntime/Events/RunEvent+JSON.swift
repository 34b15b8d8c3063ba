import Foundation
import OrderedCollections

extension RunEvent {
    /// The event as one JSON object: `{"event": name, "time": …, …fields}` in snake_case, the
    /// form `run --events` writes and worker processes send to their parent.
    public func json(time: Double = Date().timeIntervalSince1970) -> String {
        var m: OrderedDictionary<String, Value> = ["event": .string(name), "time": .double(time)]
        func put(_ k: String, _ v: Value) { m[k] = v }
        switch self {
        case .runStarted(let s):
            put("experiment", .string(s.experiment)); put("version", .int(Int64(s.version)))
            put("replicates", .int(Int64(s.replicates))); put("conditions", .list(s.conditions.map(Value.string)))
            put("steps", .list(s.steps.map(Value.string))); put("pending", .int(Int64(s.pending)))
            put("execution", .string(s.execution)); put("strategy", .string(s.strategy))
        case let .replicateStarted(e, r, c):
            put("experiment", .string(e)); put("replicate", .int(Int64(r))); put("condition", .string(c))
        case let .stepStarted(e, r, c, s):
            put("experiment", .string(e)); put("replicate", .int(Int64(r))); put("condition", .string(c)); put("step", .string(s))
        case let .stepFinished(e, r, c, s, d, hit):
            put("experiment", .string(e)); put("replicate", .int(Int64(r))); put("condition", .string(c)); put("step", .string(s))
            put("duration_s", .double(d)); put("cache_hit", .bool(hit))
        case let .replicateFinished(e, r, c, d, ok):
            put("experiment", .string(e)); put("replicate", .int(Int64(r))); put("condition", .string(c))
            put("duration_s", .double(d)); put("outcome", .string(ok ? "succeeded" : "failed"))
        case let .log(e, r, c, s, level, msg):
            put("experiment", .string(e))
            if let r { put("replicate", .int(Int64(r))) }
            if let c { put("condition", .string(c)) }
            if let s { put("step", .string(s)) }
            put("level", .string(level.label)); put("message", .string(msg))
        case let .failure(e, r, c, s, msg):
            put("experiment", .string(e)); put("replicate", .int(Int64(r))); put("condition", .string(c))
            put("step", .string(s)); put("message", .string(msg))
        case let .progress(e, msg):
            put("experiment", .string(e)); put("message", .string(msg))
        case let .runFinished(e, v, status, d):
            put("experiment", .string(e)); put("version", .int(Int64(v))); put("status", .string(status)); put("duration_s", .double(d))
        }
        return JSONText.encode(.map(m))
    }

    /// Reads an event back from its JSON line; nil for anything that is not one.
    public init?(json line: String) {
        guard case .map(let m)? = try? JSONText.parse(line), case .string(let name)? = m["event"] else { return nil }
        func s(_ k: String) -> String? { if case .string(let v)? = m[k] { return v }; return nil }
        func i(_ k: String) -> Int? { if case .int(let v)? = m[k] { return Int(v) }; return nil }
        func d(_ k: String) -> Double? { m[k]?.asDouble }
        func strings(_ k: String) -> [String]? {
            guard case .list(let l)? = m[k] else { return nil }
            return l.compactMap { if case .string(let v) = $0 { return v }; return nil }
        }
        guard let e = s("experiment") else { return nil }
        switch name {
        case "run_started":
            guard let v = i("version"), let n = i("replicates"), let cs = strings("conditions"), let st = strings("steps"),
                  let p = i("pending"), let x = s("execution"), let g = s("strategy") else { return nil }
            self = .runStarted(RunStarted(experiment: e, version: v, replicates: n, conditions: cs, steps: st, pending: p, execution: x, strategy: g))
        case "replicate_started":
            guard let r = i("replicate"), let c = s("condition") else { return nil }
            self = .replicateStarted(experiment: e, replicate: r, condition: c)
        case "step_started":
            guard let r = i("replicate"), let c = s("condition"), let st = s("step") else { return nil }
            self = .stepStarted(experiment: e, replicate: r, condition: c, step: st)
        case "step_finished":
            guard let r = i("replicate"), let c = s("condition"), let st = s("step"), let du = d("duration_s"),
                  case .bool(let hit)? = m["cache_hit"] else { return nil }
            self = .stepFinished(experiment: e, replicate: r, condition: c, step: st, durationS: du, cacheHit: hit)
        case "replicate_finished":
            guard let r = i("replicate"), let c = s("condition"), let du = d("duration_s"), let o = s("outcome") else { return nil }
            self = .replicateFinished(experiment: e, replicate: r, condition: c, durationS: du, succeeded: o == "succeeded")
        case "log":
            guard let l = s("level").flatMap(LogLevel.init(label:)), let msg = s("message") else { return nil }
            self = .log(experiment: e, replicate: i("replicate"), condition: s("condition"), step: s("step"), level: l, message: msg)
        case "failure":
            guard let r = i("replicate"), let c = s("condition"), let st = s("step"), let msg = s("message") else { return nil }
            self = .failure(experiment: e, replicate: r, condition: c, step: st, message: msg)
        case "progress":
            guard let msg = s("message") else { return nil }
            self = .progress(experiment: e, message: msg)
        case "run_finished":
            guard let v = i("version"), let st = s("status"), let du = d("duration_s") else { return nil }
            self = .runFinished(experiment: e, version: v, status: st, durationS: du)
        default:
            return nil
        }
    }
}
