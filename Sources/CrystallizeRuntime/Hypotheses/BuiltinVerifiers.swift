import OrderedCollections

/// Verifiers that need no plugin: Welch's t, Mann–Whitney U, bootstrap CI and permutation.
///
/// Each compares the baseline's and a treatment's values of one metric group (values of every
/// metric in the group are pooled, as crystallize-ml's verifiers receive them) and returns a
/// map with at least "p_value" and "significant".
public enum BuiltinVerifiers {
    /// The names accepted in config.yaml.
    public static let names = ["welch_t_test", "mann_whitney_u", "bootstrap_ci", "permutation_test"]

    /// Runs verifier `name` with `params` (alpha, resamples, confidence, seed).
    public static func run(_ name: String, baseline: [Double], treatment: [Double],
                           params: OrderedDictionary<String, Value>) throws -> OrderedDictionary<String, Value> {
        let alpha = params["alpha"]?.asDouble ?? 0.05
        let resamples = Int(params["resamples"]?.asDouble ?? 10_000)
        var rng = SeededGenerator(seed: UInt64(params["seed"]?.asDouble ?? 0))
        var out = OrderedDictionary<String, Value>()
        switch name {
        case "welch_t_test":
            let r = HypothesisTests.welchT(baseline, treatment)
            out["statistic"] = .double(r.statistic); out["p_value"] = .double(r.pValue)
        case "mann_whitney_u":
            let r = HypothesisTests.mannWhitneyU(baseline, treatment)
            out["statistic"] = .double(r.statistic); out["p_value"] = .double(r.pValue)
        case "permutation_test":
            let r = HypothesisTests.permutation(baseline, treatment, resamples: resamples, using: &rng)
            out["statistic"] = .double(r.statistic); out["p_value"] = .double(r.pValue)
        case "bootstrap_ci":
            let confidence = params["confidence"]?.asDouble ?? 0.95
            let r = HypothesisTests.bootstrapMeanDifference(baseline, treatment, resamples: resamples, confidence: confidence, using: &rng)
            out["ci_low"] = .double(r.low); out["ci_high"] = .double(r.high); out["p_value"] = .double(r.pValue)
        default:
            throw PluginError(message: "unknown built-in verifier '\(name)'; built in: \(names.joined(separator: ", "))")
        }
        let p = out["p_value"]?.asDouble ?? .nan
        out["significant"] = .bool(p.isFinite && p < alpha)
        out["alpha"] = .double(alpha)
        return out
    }
}
