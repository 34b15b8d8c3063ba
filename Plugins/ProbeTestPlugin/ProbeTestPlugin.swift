import Crystallize

/// Steps only the test suite and the benchmark use (not an example: Plugins/MySteps is that).
/// Load it beside MySteps: `--plugin libMySteps.so --plugin libProbeTestPlugin.so`.
@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "ProbeTestPlugin", version: "1.0.0", doc: "Probe steps for the test suite and the benchmark")
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
        .step("save_numbers", doc: "Writes the numbers as a text artifact 'numbers.txt' (host->write_artifact)") { ctx, data in
            try ctx.writeArtifact("numbers.txt", Array(data.numbers.map { String($0) }.joined(separator: "\n").utf8))
            return data
        }
        .step("save_text_summary", doc: "Writes {numbers, replicate} as JSON text (a string) to a declared output, for text codecs",
              params: [.string("output", default: "summary", doc: "The output (a key under outputs:) to write")]) { ctx, data in
            let replicate = ctx.get("replicate")?.int ?? 0
            let text = "{\"numbers\": [" + data.numbers.map { "\($0)" }.joined(separator: ", ") + "], \"replicate\": \(replicate)}"
            try ctx.writeOutput(try ctx.string("output"), ctx.make(text))
            return data
        }
        .step("read_text_input", doc: "Reads an upstream text input: metrics upstream_chars and upstream_uppercase (1 when all upper case); returns [chars]") { ctx, data in
            guard let name = data.keys.first, let text = data[name]?.string else {
                throw PluginFailure("read_text_input expects a map holding one upstream string, got keys \(data.keys)")
            }
            ctx.record("upstream_chars", Double(text.count))
            ctx.record("upstream_uppercase", text == text.uppercased() ? 1 : 0)
            return ctx.make([Double(text.count)])
        }
        .verifier("mean_difference", doc: "Treatment mean minus baseline mean; p = 0 when it exceeds `threshold`, else 1 (a probe, not a test)",
                  params: [.f64("threshold", default: 0)]) { ctx, baseline, treatment in
            func mean(_ v: HostValue) -> Double {
                let values = v.keys.flatMap { v[$0]?.numbers ?? [] }
                return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
            }
            let difference = mean(treatment) - mean(baseline)
            let significant = difference > (try ctx.f64("threshold"))
            return ctx.makeMap(["p_value": ctx.make(significant ? 0.0 : 1.0), "significant": ctx.make(significant),
                                "difference": ctx.make(difference)])
        }
        .install(host)
}
