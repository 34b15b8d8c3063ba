import Foundation
import OrderedCollections

extension Planner {
    /// A step's identity: sha256 of (library sha256, function name, canonical explicit params).
    static func stepIdentity(function: StepFunction, params: OrderedDictionary<String, Value>) -> String {
        ValueHash.hex(.list([.string(function.binarySHA256), .string(function.name), .map(params)]))
    }

    /// Applies `--set` values and the run screen's toggles to a draft.
    /// A parameter set this way becomes an explicit parameter, so it is part of the step's
    /// identity and the pipeline signature: resume re-runs when it changes.
    static func applyOverrides(_ plan: inout PlanDraft, overrides: RunOverrides, treatmentsNode: YAMLNode?) throws {
        let definedTreatments = (try? treatmentsNode?.mapping().map(\.key)) ?? []
        for setting in overrides.settings {
            switch try setting.target() {
            case .replicates: plan.replicates = Int(try setting.integer(minimum: 1))
            case .seed: plan.seed = UInt64(try setting.integer(minimum: 0))
            case let .parameter(stepName, param): try setParameter(&plan, setting, step: stepName, param: param)
            case let .treatment(name, key): try setTreatmentValue(&plan, setting, name: name, key: key, defined: definedTreatments)
            }
        }
        plan.settings = overrides.settings
        try applyToggles(&plan, overrides: overrides, defined: definedTreatments)
    }

    static func setParameter(_ plan: inout PlanDraft, _ setting: SettingOverride, step stepName: String, param: String) throws {
        func describe(_ s: PlannedStep) -> String { s.name + (s.name == plan.datasource?.name ? " (datasource)" : "") }
        let all = plan.allSteps
        guard let step = all.first(where: { $0.name == stepName }) else {
            throw SettingError("--set '\(setting)': no step or datasource named '\(stepName)'; steps: \(all.map(describe).joined(separator: ", "))\(all.isEmpty ? "none" : ""); other keys: treatments.NAME.key, replicates, seed")
        }
        let declared = step.function.params.filter { $0.name != "data" }
        guard let spec = declared.first(where: { $0.name == param }) else {
            throw SettingError("--set '\(setting)': '\(stepName)' has no parameter '\(param)'; its parameters: \(declared.isEmpty ? "none" : declared.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", "))")
        }
        let value = try setting.value(as: spec.type, what: "parameter '\(param)' of '\(stepName)'")
        func update(_ s: inout PlannedStep) {
            s.explicitParams[param] = value
            s.identity = stepIdentity(function: s.function, params: s.explicitParams)
        }
        if plan.datasource?.name == stepName { update(&plan.datasource!) }
        if let i = plan.steps.firstIndex(where: { $0.name == stepName }) { update(&plan.steps[i]) }
    }

    static func setTreatmentValue(_ plan: inout PlanDraft, _ setting: SettingOverride, name: String, key: String, defined: [String]) throws {
        guard let index = plan.conditions.firstIndex(where: { $0.name == name }) else {
            // Defined but not running (--treatment, or switched off on the run screen): nothing to set.
            if defined.contains(name) { return }
            throw SettingError("--set '\(setting)': no treatment named '\(name)'; treatments: \((["baseline"] + defined.filter { $0 != "baseline" }).joined(separator: ", "))")
        }
        if ExperimentConfig.hostKeys.contains(key) {
            throw SettingError("--set '\(setting)': '\(key)' is set by the host itself (\(ExperimentConfig.hostKeys.joined(separator: ", ")))")
        }
        let condition = plan.conditions[index]
        let params = plan.allSteps.flatMap { s in s.function.params.filter { $0.name == key && $0.name != "data" }.map { (s.name, $0) } }
        let value: Value
        if let (stepName, spec) = params.first {
            value = try setting.value(as: spec.type, what: "'\(key)' (parameter of '\(stepName)')")
        } else if let existing = condition.additions[key] {
            value = try setting.value(as: existing.parameterType, what: "'\(key)' of treatment '\(name)'")
        } else {
            let known = Array(condition.additions.keys) + plan.allSteps.flatMap { $0.function.params.map(\.name) }.filter { $0 != "data" }
            var seen = Set<String>()
            throw SettingError("--set '\(setting)': treatment '\(name)' has no key '\(key)' and no step declares a parameter '\(key)'; keys it may set: \(known.filter { seen.insert($0).inserted }.joined(separator: ", "))")
        }
        plan.conditions[index].additions[key] = value
    }

    /// Treatments switched off leave the plan (unless `--treatment` names them); steps whose
    /// cache is switched off are planned uncached. Names no longer in config.yaml are dropped.
    static func applyToggles(_ plan: inout PlanDraft, overrides: RunOverrides, defined: [String]) throws {
        let stored = try overrides.toggles ?? ToggleState.load(forConfig: plan.configPath)
        var applied = ToggleState()
        let explicit = overrides.treatments ?? []
        for t in stored.disabledTreatments where defined.contains(t) && t != "baseline" && !explicit.contains(t) {
            applied.disabledTreatments.append(t)
        }
        plan.conditions.removeAll { applied.disabledTreatments.contains($0.name) }
        for s in stored.uncachedSteps where plan.allSteps.contains(where: { $0.name == s }) {
            applied.uncachedSteps.append(s)
            if plan.datasource?.name == s { plan.datasource!.cacheable = false }
            if let i = plan.steps.firstIndex(where: { $0.name == s }) { plan.steps[i].cacheable = false }
        }
        plan.toggles = applied
    }
}

extension Value {
    /// The parameter type a value of this kind fills, for typing a `--set` text like it.
    var parameterType: ParamType {
        switch self {
        case .bool: return .bool
        case .int: return .i64
        case .double: return .f64
        case .string: return .string
        default: return .any
        }
    }
}
