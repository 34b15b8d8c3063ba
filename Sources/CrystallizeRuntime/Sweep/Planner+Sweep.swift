import Foundation
import OrderedCollections

extension Planner {
    /// The written treatments plus those a sweep generates (written first, then the sweep's;
    /// a generated name always holds '=', which a written one may not, so they never clash),
    /// with every generated value for the plan's type check; an optimizer's trial run replaces
    /// all of them with its trials. `--treatment` is applied later, by the graph.
    static func generatedConditions(_ config: ExperimentConfig, overrides: RunOverrides) throws -> (conditions: [Condition], values: [TreatmentValue]) {
        let written = config.writtenTreatments
        if let trials = overrides.trialTreatments {
            return ([written[0]] + (try trials.map { try $0.condition() }), [])
        }
        let node = config.fields["sweep"]
        var sweep = try SweepSpec.parse(node)
        try sweep.addCommandLine(overrides.sweeps, file: config.path)
        let generated = try sweep.treatments(file: config.path)
        let values = generated.flatMap { c in
            c.additions.map { TreatmentValue(treatment: c.name, key: $0.key, value: $0.value, origin: .swept(node, file: config.path)) }
        }
        return (written + generated, values)
    }
}
