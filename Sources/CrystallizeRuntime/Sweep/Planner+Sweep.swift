import Foundation
import OrderedCollections

extension Planner {
    /// The written treatments plus those a sweep generates (written first, then the sweep's;
    /// a generated name always holds '=', which a written one may not, so they never clash),
    /// filtered by `--treatment`; an optimizer's trial run replaces all of them with its trials.
    static func generatedConditions(written: [Condition], fields: OrderedDictionary<String, YAMLNode>, overrides: RunOverrides,
                                    path: String, callables: [PlannedStep]) throws -> [Condition] {
        if let trials = overrides.trialTreatments {
            return [written[0]] + (try trials.map { try $0.condition() })
        }
        var sweep = try SweepSpec.parse(fields["sweep"])
        try sweep.addCommandLine(overrides.sweeps, file: path)
        let generated = try sweep.treatments(file: path)
        for c in generated {
            try checkGeneratedTypes(c, callables: callables, node: fields["sweep"], file: path)
        }
        var all = written + generated
        if let active = overrides.treatments {
            let defined = all.dropFirst().map(\.name)
            for a in active where a != "baseline" && !defined.contains(a) {
                throw ConfigError(file: path, line: nil, path: "treatments", "--treatment '\(a)' is not defined; defined: \(defined.joined(separator: ", "))")
            }
            all = [all[0]] + all.dropFirst().filter { active.contains($0.name) }
        }
        return all
    }

    /// The same check as for written treatments: a generated value must fit every step
    /// parameter of its name that config.yaml does not set.
    static func checkGeneratedTypes(_ c: Condition, callables: [PlannedStep], node: YAMLNode?, file: String) throws {
        for (key, value) in c.additions {
            for step in callables where step.explicitParams[key] == nil && key != "data" {
                guard let spec = step.function.params.first(where: { $0.name == key }), !spec.type.accepts(value) else { continue }
                let message = "sweep treatment '\(c.name)' sets '\(key)' to \(value.typeName), but parameter '\(key)' of step '\(step.name)' must be \(spec.type.rawValue)"
                throw node?.error(message) ?? ConfigError(file: file, line: nil, path: "--sweep", message)
            }
        }
    }
}
