import Crystallize

/// Probes of the Swift SDK for the tests (not an example: Plugins/MySteps is that).
@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "SDKTestPlugin", version: "1.0.0", doc: "Swift SDK probes for the test suite")
        .step("read_param", doc: "Reads parameter `read` with the typed accessor `as` (f64, i64, bool, string); metric 'read' = 1",
              params: [.string("read", default: "count", doc: "The parameter to read"), .string("as", default: "i64", doc: "f64, i64, bool or string"),
                       .i64("count", default: 2, doc: "An integer"), .string("label", default: "x", doc: "A string")]) { ctx, data in
            let name = try ctx.string("read")
            switch try ctx.string("as") {
            case "f64": _ = try ctx.f64(name)
            case "i64": _ = try ctx.i64(name)
            case "bool": _ = try ctx.bool(name)
            default: _ = try ctx.string(name)
            }
            ctx.record("read", 1)
            return data
        }
        .install(host)
}
