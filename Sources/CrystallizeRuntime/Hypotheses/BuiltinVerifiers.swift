import OrderedCollections

/// Verifiers that need no plugin: Welch's t, Mann–Whitney U, bootstrap CI and permutation
/// (two-sample), paired t and Wilcoxon signed-rank (paired by replicate index).
///
/// Each compares the baseline's and a treatment's values of one metric group (values of every
/// metric in the group are pooled, as crystallize-ml's verifiers receive them; paired ones get
/// them aligned pair by pair) and returns a map with at least "p_value" and "significant".
public enum BuiltinVerifiers {
    /// The names accepted in config.yaml.
    public static let names = ["welch_t_test", "mann_whitney_u", "bootstrap_ci", "permutation_test", "paired_t_test", "wilcoxon_signed_rank"]

    /// The verifiers that pair baseline and treatment by replicate index.
    public static let paired: Set<String> = ["paired_t_test", "wilcoxon_signed_rank"]

    /// The most resamples a verifier draws: far beyond any useful precision, and small enough
    /// that a typo (an extra few zeros) fails with a message rather than running for days.
    public static let maximumResamples = 10_000_000

    /// The parameters verifier `name` takes, each with a check returning what is wrong with a
    /// value (nil when it can be used).
    public static func parameters(of name: String) -> [String: (Value) -> String?] {
        let unit: (Value) -> String? = { v in
            guard let d = v.asDouble, v.typeName != "bool" else { return "must be a number, got \(v.typeName)" }
            return d > 0 && d < 1 ? nil : "must be between 0 and 1 (exclusive), got \(d)"
        }
        let resamples: (Value) -> String? = { v in
            guard case .int(let n) = v else { return "must be an integer, got \(v.typeName)" }
            return n >= 1 && n <= Int64(maximumResamples) ? nil : "must be between 1 and \(maximumResamples), got \(n)"
        }
        let seed: (Value) -> String? = { v in
            guard case .int(let n) = v else { return "must be an integer, got \(v.typeName)" }
            return n >= 0 ? nil : "must be a non-negative integer, got \(n)"
        }
        switch name {
        case "permutation_test": return ["alpha": unit, "resamples": resamples, "seed": seed]
        case "bootstrap_ci": return ["alpha": unit, "resamples": resamples, "confidence": unit, "seed": seed]
        default: return ["alpha": unit]
        }
    }

    /// Runs verifier `name` with `params` (alpha, resamples, confidence, seed).
    public static func run(_ name: String, baseline: [Double], treatment: [Double],
                           params: OrderedDictionary<String, Value>) throws -> OrderedDictionary<String, Value> {
        let alpha = params["alpha"]?.asDouble ?? 0.05
        for (k, v) in params {
            if let problem = parameters(of: name)[k]?(v) { throw PluginError(message: "verifier '\(name)' parameter '\(k)': \(problem)") }
        }
        func int(_ key: String) -> Int64? { if case .int(let n)? = params[key] { return n }; return nil }
        let resamples = Int(int("resamples") ?? 10_000)
        var rng = SeededGenerator(seed: UInt64(int("seed") ?? 0))
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
        case "paired_t_test":
            let r = HypothesisTests.pairedT(baseline, treatment)
            out["statistic"] = .double(r.statistic); out["p_value"] = .double(r.pValue)
            out["df"] = .double(r.degreesOfFreedom ?? .nan)
        case "wilcoxon_signed_rank":
            let r = HypothesisTests.wilcoxonSignedRank(baseline, treatment)
            out["statistic"] = .double(r.outcome.statistic); out["p_value"] = .double(r.outcome.pValue)
            out["method"] = .string(r.method); out["nonzero_pairs"] = .int(Int64(r.nonZeroPairs))
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
