import Crystallize

/// The demo's steps: the seed documentation's example, as a plugin.
///
/// numbers -> add_delta(delta) -> record_metric, with per-replicate noise from the host's
/// deterministic generator so baseline and treatment differ by chance as well as by delta.
@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "MySteps", version: "1.0.0", doc: "Example steps of the crystallize-host demo")
        .datasource("numbers", doc: "A few numbers with per-replicate Gaussian noise",
                    params: [.i64("count", default: 3, doc: "How many numbers"), .f64("noise", default: 1.0, doc: "Noise standard deviation")]) { ctx in
            let count = Int(ctx.param("count")!.int)
            let noise = ctx.double("noise")
            return ctx.make((0..<count).map { Double($0 + 1) + ctx.normal(sd: noise) })
        }
        .step("add_delta", doc: "Adds delta to every number, in place", params: [.f64("delta", default: 0, doc: "Amount to add")], cacheable: true) { ctx, data in
            guard let values = data.doubles else { throw PluginFailure("add_delta expects an f64 array, got type \(data.type)") }
            let delta = ctx.double("delta")
            for i in values.indices { values[i] += delta }
            return data
        }
        .step("record_metric", doc: "Records the sum of the numbers as metric 'total'") { ctx, data in
            ctx.record("total", data.numbers.reduce(0, +))
            return data
        }
        .typedStep("scale", doc: "Multiplies every number by factor (a @_cdecl Swift function called through libffi)",
                   function: unsafeBitCast(scaleNumbers as @convention(c) (UnsafeMutablePointer<Double>?, Int64, Double) -> Void, to: crys_any_fn.self),
                   returns: CRYS_T_VOID, params: [.f64Array("data"), .f64("factor", default: 2.0)])
        .step("save_numbers", doc: "Writes the numbers as a text artifact 'numbers.txt'") { ctx, data in
            try ctx.writeArtifact("numbers.txt", Array(data.numbers.map { String($0) }.joined(separator: "\n").utf8))
            return data
        }
        .step("burn", doc: "CPU-bound work: about `ms` milliseconds of arithmetic, then passes data on",
              params: [.f64("ms", default: 5.0, doc: "Approximate milliseconds of work")]) { ctx, data in
            // A fixed amount of floating-point work calibrated to ~1 ms per 400k iterations on
            // a 2020s core; the result feeds a metric so the optimizer cannot drop it.
            let iterations = Int(ctx.double("ms") * 400_000)
            var x = 0.5
            for i in 0..<iterations { x = x * 1.000_000_1 + Double(i & 7) * 1e-9; if x > 2 { x -= 1 } }
            ctx.record("burn_checksum", x)
            return data
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
