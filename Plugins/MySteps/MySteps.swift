import Crystallize
import Foundation

/// The demo's steps: the seed documentation's example, as a plugin.
///
/// numbers -> add_delta(delta) -> record_metric, with per-replicate noise from the host's
/// deterministic generator. Every condition of a replicate draws the same noise (common random
/// numbers), so treatment − baseline is exactly the treatment's effect in each replicate.
@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "MySteps", version: "1.0.0", doc: "Example steps of the crystallize-host demo")
        .datasource("numbers", doc: "A few numbers with per-replicate Gaussian noise",
                    params: [.i64("count", default: 3, doc: "How many numbers"), .f64("noise", default: 1.0, doc: "Noise standard deviation")]) { ctx in
            let count = try ctx.int("count")
            let noise = try ctx.f64("noise")
            // Filled in place: the array the host made is the one the next step reads.
            let numbers = ctx.makeArray(count: count)
            let values = numbers.doubles!
            for i in values.indices { values[i] = Double(i + 1) + ctx.normal(sd: noise) }
            return numbers
        }
        .step("add_delta", doc: "Adds delta to every number, in place", params: [.f64("delta", default: 0, doc: "Amount to add")], cacheable: true) { ctx, data in
            guard let values = data.doubles else { throw PluginFailure("add_delta expects an f64 array, got type \(data.type)") }
            let delta = try ctx.f64("delta")
            for i in values.indices { values[i] += delta }
            return data
        }
        .step("record_metric", doc: "Records the sum of the numbers as metric 'total'") { ctx, data in
            ctx.record("total", data.doubles?.reduce(0, +) ?? data.numbers.reduce(0, +))
            return data
        }
        .typedStep("scale", doc: "Multiplies every number by factor (a @_cdecl Swift function called through libffi)",
                   cFunction: scaleNumbers as @convention(c) (UnsafeMutablePointer<Double>?, Int64, Double) -> Void,
                   returns: CRYS_T_VOID, params: [.f64Array("data"), .f64("factor", default: 2.0)])
        .step("save_numbers", doc: "Writes the numbers as a text artifact 'numbers.txt'") { ctx, data in
            try ctx.writeArtifact("numbers.txt", Array(data.numbers.map { String($0) }.joined(separator: "\n").utf8))
            return data
        }
        .step("burn", doc: "CPU-bound work: about `ms` milliseconds of arithmetic, then passes data on",
              params: [.f64("ms", default: 5.0, doc: "Approximate milliseconds of work")]) { ctx, data in
            // A fixed amount of floating-point work calibrated to ~1 ms per 400k iterations on
            // a 2020s core; the result feeds a metric so the optimizer cannot drop it.
            let iterations = Int(try ctx.f64("ms") * 400_000)
            var x = 0.5
            for i in 0..<iterations { x = x * 1.000_000_1 + Double(i & 7) * 1e-9; if x > 2 { x -= 1 } }
            ctx.record("burn_checksum", x)
            return data
        }
        .step("save_summary", doc: "Writes a summary of the numbers ({numbers, replicate}) to a declared output, passes data on",
              params: [.string("output", default: "summary", doc: "The output (a key under outputs:) to write"),
                       .bool("as_text", default: false, doc: "Write the summary as JSON text (a string) instead of a map, for text codecs")]) { ctx, data in
            let numbers = data.numbers
            let replicate = ctx.get("replicate")?.int ?? 0
            let output = try ctx.string("output")
            if try ctx.bool("as_text") {
                let text = "{\"numbers\": [" + numbers.map { "\($0)" }.joined(separator: ", ") + "], \"replicate\": \(replicate)}"
                try ctx.writeOutput(output, ctx.make(text))
            } else {
                try ctx.writeOutput(output, ctx.makeMap(["numbers": ctx.makeList(numbers.map { ctx.make($0) }), "replicate": ctx.make(replicate)]))
            }
            return data
        }
        .step("summarize_input", doc: "Reads an upstream summary (datasource experiment#artifact); metrics upstream_total and upstream_replicate; returns its numbers",
              params: [.string("key", default: "", doc: "Datasource key to read; empty reads the first")]) { ctx, data in
            let key = try ctx.string("key")
            guard let name = key.isEmpty ? data.keys.first : key, let up = data[name] else {
                throw PluginFailure("summarize_input expects a map of upstream inputs with key '\(key)', got keys \(data.keys)")
            }
            if let text = up.string {
                // A text codec delivered the summary as a string: report what arrived.
                ctx.record("upstream_chars", Double(text.count))
                ctx.record("upstream_uppercase", text == text.uppercased() ? 1 : 0)
                return ctx.make([Double(text.count)])
            }
            guard let numbers = up["numbers"]?.numbers, let replicate = up["replicate"] else {
                throw PluginFailure("summarize_input: upstream '\(name)' is not a {numbers, replicate} summary")
            }
            ctx.record("upstream_total", numbers.reduce(0, +))
            ctx.record("upstream_replicate", replicate.double)
            return ctx.make(numbers)
        }
        .asyncStep("wait", doc: "Waits `ms` milliseconds without holding a thread, then passes data on",
                   params: [.i64("ms", default: 10)]) { ctx, data, done in
            let ms = try ctx.int("ms")
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(ms)) { done.succeed(data) }
        }
        .verifier("mean_difference", doc: "Treatment mean minus baseline mean; p = 0 when it exceeds `threshold`, else 1",
                  params: [.f64("threshold", default: 0)]) { ctx, baseline, treatment in
            func mean(_ v: HostValue) -> Double {
                // One metric group: pool every metric's values, as the built-in verifiers do.
                let values = v.keys.flatMap { v[$0]?.numbers ?? [] }
                return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
            }
            let difference = mean(treatment) - mean(baseline)
            let significant = difference > (try ctx.f64("threshold"))
            return ctx.makeMap(["p_value": ctx.make(significant ? 0.0 : 1.0), "significant": ctx.make(significant),
                                "difference": ctx.make(difference)])
        }
        .hook("announce", doc: "Logs the start and end of every run", events: CRYS_HOOK_BEFORE_RUN | CRYS_HOOK_AFTER_RUN) { ctx, event, info in
            let name = info["experiment"]?.string ?? "?"
            ctx.log(event == CRYS_HOOK_BEFORE_RUN ? "MySteps: starting \(name)" : "MySteps: finished \(name)")
        }
        .strategy("backwards", doc: "Runs pending replicates in this process, last first") { _, loop in
            for r in loop.pending.reversed() {
                if loop.isCancelled { return }
                loop.runHere(r)
            }
            loop.progress("backwards: done")
        }
        .install(host)
}

/// A plain C-callable function: the host fills `values`/`count` with the step's f64 array
/// and `factor` from params, context or the declared default.
@_cdecl("mysteps_scale")
public func scaleNumbers(_ values: UnsafeMutablePointer<Double>?, _ count: Int64, _ factor: Double) {
    guard let values else { return }
    for i in 0..<Int(count) { values[i] *= factor }
}
