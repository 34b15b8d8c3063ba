import Crystallize

/// Near-empty Swift SDK steps for bench/abi: the cost of the SDK's trampolines on top of the ABI.
@_cdecl("crystallize_plugin_entry")
public func benchSwiftStepsEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "BenchSwiftSteps", version: "1.0", doc: "Near-empty Swift SDK steps for bench/abi")
        .step("swift_pass", doc: "Returns its input") { _, data in data }
        .step("swift_touch", doc: "Reads a parameter and adds it to data[0]", params: [.f64("amount", default: 0)]) { ctx, data in
            if let d = data.doubles, !d.isEmpty { d[0] += ctx.double("amount") }
            return data
        }
        .install(host)
}
