import Crystallize
import Foundation

/// The demo's steps, as a plugin: the example to copy. One of each export kind, the demo's
/// steps (experiments/demo, producer, consumer), and nothing else.
///
/// numbers -> add_delta(delta) -> record_metric, with per-replicate noise from the host's
/// deterministic generator. Every condition of a replicate draws the same noise (common random
/// numbers), so treatment − baseline is exactly the treatment's effect in each replicate.
@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "MySteps", version: "1.1.0", doc: "Example steps of the crystallize-host demo")
        // Plugin-wide state, once per process: the trace file named by MYSTEPS_TRACE, if any.
        .pluginInit { _ in try Trace.open(ProcessInfo.processInfo.environment["MYSTEPS_TRACE"]) }
        .pluginShutdown { _ in Trace.close() }
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
        // Once per run, before any replicate: a bad value set in config.yaml stops the run at once.
        .setup { ctx in
            if let count = ctx.param("count")?.checkedInt, count < 1 { throw PluginFailure("numbers: count must be at least 1, got \(count)") }
            if let noise = ctx.param("noise")?.checkedDouble, !(noise >= 0) { throw PluginFailure("numbers: noise must be 0 or more, got \(noise)") }
            Trace.write("setup numbers")
        }
        .teardown { _ in Trace.write("teardown numbers") }
        .step("add_delta", doc: "Adds delta to every number, in place", params: [.f64("delta", default: 0, doc: "Amount to add")], cacheable: true) { ctx, data in
            guard let values = data.doubles else { throw PluginFailure("add_delta expects an f64 array, got \(data.typeName)") }
            let delta = try ctx.f64("delta")
            for i in values.indices { values[i] += delta }
            return data
        }
        .step("record_metric", doc: "Records the sum of the numbers as metric 'total'") { ctx, data in
            let total = data.doubles?.reduce(0, +) ?? data.numbers.reduce(0, +)
            ctx.record("total", total)
            Trace.write("total r\(ctx.get("replicate")?.int ?? -1) \(ctx.get("condition")?.string ?? "?") \(total)")
            return data
        }
        .typedStep("scale", doc: "Multiplies every number by factor (a @_cdecl Swift function called through libffi)",
                   cFunction: scaleNumbers as @convention(c) (UnsafeMutablePointer<Double>?, Int64, Double) -> Void,
                   returns: CRYS_T_VOID, params: [.f64Array("data"), .f64("factor", default: 2.0)])
        .step("save_summary", doc: "Writes a summary of the numbers ({numbers, replicate}) to a declared output, passes data on",
              params: [.string("output", default: "summary", doc: "The output (a key under outputs:) to write")]) { ctx, data in
            let replicate = ctx.get("replicate")?.int ?? 0
            try ctx.writeOutput(try ctx.string("output"), Summary(numbers: data.numbers, replicate: replicate).value(ctx))
            return data
        }
        .step("summarize_input", doc: "Reads an upstream summary (datasource experiment#artifact); metrics upstream_total and upstream_replicate; returns its numbers",
              params: [.string("key", default: "", doc: "Datasource key to read; empty reads the first")]) { ctx, data in
            let key = try ctx.string("key")
            guard let name = key.isEmpty ? data.keys.first : key, let up = data[name] else {
                throw PluginFailure("summarize_input expects a map of upstream inputs with key '\(key)', got keys \(data.keys)")
            }
            guard let summary = Summary(up) else { throw PluginFailure("summarize_input: upstream '\(name)' is not a {numbers, replicate} summary") }
            ctx.record("upstream_total", summary.numbers.reduce(0, +))
            ctx.record("upstream_replicate", Double(summary.replicate))
            return ctx.make(summary.numbers)
        }
        .asyncStep("wait", doc: "Waits `ms` milliseconds without holding a thread, then passes data on",
                   params: [.i64("ms", default: 10)]) { ctx, data, done in
            let ms = try ctx.int("ms")
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(ms)) { done.succeed(data) }
        }
        .verifier("z_test", doc: "Two-sided z-test of treatment mean minus baseline mean (normal approximation); entries difference and z",
                  params: [.f64("alpha", default: 0.05, doc: "Significance level")]) { ctx, baseline, treatment in
            let test = ZTest(baseline: pooled(baseline), treatment: pooled(treatment))
            return ctx.makeMap(["p_value": ctx.make(test.pValue), "significant": ctx.make(test.pValue < (try ctx.f64("alpha"))),
                                "difference": ctx.make(test.difference), "z": ctx.make(test.z)])
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
        .codec("summary_lines", doc: "A {numbers, replicate} summary as text: 'replicate N', then one number a line",
               encode: { _, value in
                   guard let summary = Summary(value) else { throw PluginFailure("summary_lines writes {numbers, replicate} summaries, got \(value.typeName)") }
                   return Array(summary.lines.utf8)
               },
               decode: { ctx, bytes in try Summary(lines: String(decoding: bytes, as: UTF8.self)).value(ctx) })
        .optimizer("random_search", doc: "Tries `trials` points drawn uniformly from the search space, in one batch") { _, space, settings in
            RandomSearch(space: space, settings: settings)
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

/// One metric group's values, every metric pooled (as the built-in verifiers do).
func pooled(_ group: HostValue) -> [Double] { group.keys.flatMap { group[$0]?.numbers ?? [] } }
