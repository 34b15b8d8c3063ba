import CCrystallize
import Foundation
import OrderedCollections

/// An optimizer exported by a plugin (CRYS_KIND_OPTIMIZER, ABI 1.2): every ask and tell is
/// one call through the header's crys_optimizer callbacks. Each call gets its own frame whose
/// random stream is fixed by the optimizer's seed and the call's number, so a replay (resume)
/// draws the same numbers.
final class PluginOptimizer: Optimizer {
    private let export: PluginExport
    private let callbacks: crys_optimizer
    private let spec: OptimizeSpec
    private var state: UnsafeMutableRawPointer? = nil
    private var calls = 0
    private var nextCandidate = 0
    private var params: [Int: OrderedDictionary<String, Value>] = [:]
    private var replicates: [Int: Int] = [:]

    init(export: PluginExport, spec: OptimizeSpec) throws {
        guard let table = export.raw.optimizer else { throw StoreError("optimizer '\(export.qualifiedName)' has no callbacks") }
        self.export = export
        self.callbacks = DescriptorReader.copyPrefix(UnsafeRawPointer(table), size: Int(table.pointee.size))
        self.spec = spec
        let frame = nextFrame()
        let space = frame.borrow(Self.spaceValue(spec.space)), settings = frame.borrow(Self.settingsValue(spec))
        var made: UnsafeMutableRawPointer? = nil
        guard callbacks.create!(frame.pointer, space.pointer, settings.pointer, &made, export.raw.user) == CRYS_OK else {
            throw StoreError("optimizer '\(export.qualifiedName)' failed to start: \(frame.error ?? "no message")")
        }
        state = made
    }

    deinit { callbacks.destroy?(state, export.raw.user) }

    private func nextFrame() -> CallFrame {
        calls += 1
        return CallFrame(exportName: export.qualifiedName, context: nil, params: spec.options,
                         rng: SeededGenerator(seed: spec.seed, labels: "optimizer", export.qualifiedName, String(calls)))
    }

    func ask() throws -> [TrialRequest] {
        let frame = nextFrame()
        let batch = frame.make(.list([]))
        guard callbacks.ask!(frame.pointer, state, batch, export.raw.user) == CRYS_OK else {
            throw StoreError("optimizer '\(export.qualifiedName)' failed in ask: \(frame.error ?? "no message")")
        }
        guard case .list(let items)? = ValueBox.from(batch)?.value else { return [] }
        return try items.enumerated().map { i, item in
            guard case .map(let m) = item else { throw StoreError("optimizer '\(export.qualifiedName)' asked for trial #\(i) as \(item.typeName), not a map") }
            let n = m["replicates"].flatMap { if case .int(let r) = $0 { return Int(r) }; return nil } ?? spec.replicatesPerTrial
            guard n >= 1, n <= 1_000_000 else { throw StoreError("optimizer '\(export.qualifiedName)' asked for \(n) replicates in trial #\(i)") }
            let candidate: Int
            if case .int(let c)? = m["candidate"] {
                guard let known = params[Int(c)] else { throw StoreError("optimizer '\(export.qualifiedName)' asked to extend candidate \(c), which it never asked for") }
                guard n >= replicates[Int(c)] ?? 0 else { throw StoreError("optimizer '\(export.qualifiedName)' asked for \(n) replicates of candidate \(c), which already has \(replicates[Int(c)]!)") }
                candidate = Int(c)
                replicates[candidate] = n
                return TrialRequest(candidate: candidate, params: known, replicates: n)
            }
            guard case .map(let p)? = m["params"] else { throw StoreError("optimizer '\(export.qualifiedName)' asked for trial #\(i) without a params map") }
            for key in p.keys where !spec.space.params.contains(where: { $0.key == key }) {
                throw StoreError("optimizer '\(export.qualifiedName)' set '\(key)', which is not in optimize.params (\(spec.space.params.map(\.key).joined(separator: ", ")))")
            }
            candidate = nextCandidate
            nextCandidate += 1
            params[candidate] = p
            replicates[candidate] = n
            return TrialRequest(candidate: candidate, params: p, replicates: n)
        }
    }

    func tell(_ reports: [TrialReport]) throws {
        let frame = nextFrame()
        let list = frame.borrow(.list(reports.map { r in
            .map(["candidate": .int(Int64(r.request.candidate)), "params": .map(r.request.params), "replicates": .int(Int64(r.request.replicates)),
                  "mean": .double(r.mean ?? .nan), "standard_error": .double(r.standardError ?? .nan),
                  "values": .doubles(DoubleArray.copy(of: r.values)), "hypotheses": .map(r.hypotheses)])
        }))
        guard callbacks.tell!(frame.pointer, state, list.pointer, export.raw.user) == CRYS_OK else {
            throw StoreError("optimizer '\(export.qualifiedName)' failed in tell: \(frame.error ?? "no message")")
        }
    }

    static func spaceValue(_ space: SearchSpace) -> Value {
        .map(OrderedDictionary(uniqueKeysWithValues: space.params.map { key, d -> (String, Value) in
            var m: OrderedDictionary<String, Value>
            switch d {
            case .uniform(let lo, let hi, let s), .logUniform(let lo, let hi, let s):
                m = ["kind": .string({ if case .uniform = d { return "uniform" }; return "loguniform" }()), "low": .double(lo), "high": .double(hi)]
                if let s { m["steps"] = .int(Int64(s)) }
            case .integer(let lo, let hi): m = ["kind": .string("int"), "low": .int(lo), "high": .int(hi)]
            case .normal(let mean, let sd): m = ["kind": .string("normal"), "low": .double(mean), "high": .double(sd)]
            case .choice(let values): m = ["kind": .string("choice"), "values": .list(values)]
            }
            return (key, .map(m))
        }))
    }

    static func settingsValue(_ spec: OptimizeSpec) -> Value {
        .map(["trials": spec.trials.map { .int(Int64($0)) } ?? .null, "replicates_per_trial": .int(Int64(spec.replicatesPerTrial)),
              "metric": .string(spec.metric), "direction": .string(spec.direction.rawValue), "seed": .int(Int64(spec.seed)),
              "options": .map(spec.options)])
    }
}
