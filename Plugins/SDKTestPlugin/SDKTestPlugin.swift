import Crystallize
import Foundation

/// Probes of the Swift SDK for the tests (not an example: Plugins/MySteps is that): typed
/// parameters, a codec, setup and teardown, plugin-wide init and shutdown. The lifecycle
/// probes append "<event> <pid>" lines to the file named by SDK_STATE_LOG.
@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "SDKTestPlugin", version: "1.0.0", doc: "Swift SDK probes for the test suite")
        .pluginInit { _ in
            if ProcessInfo.processInfo.environment["SDK_INIT_FAIL"] != nil { throw PluginFailure("sdk init refused: SDK_INIT_FAIL is set") }
            StateLog.append("init")
            ProbeState.model = 42
        }
        .pluginShutdown { _ in StateLog.append("shutdown") }
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
        .datasource("sdk_state", doc: "Metrics pid, model (what init set) and setups (setups run in this process)",
                    params: [.bool("fail_setup", default: false, doc: "Make setup throw"), .bool("fail_teardown", default: false, doc: "Make teardown throw")]) { ctx in
            ctx.record("pid", Double(getpid()))
            ctx.record("model", Double(ProbeState.model))
            ctx.record("setups", Double(ProbeState.setups))
            return ctx.make([1.0])
        }
        .setup { ctx in
            if ctx.param("fail_setup")?.checkedBool == true { throw PluginFailure("sdk setup refused: fail_setup is set") }
            ProbeState.setups += 1
            StateLog.append("setup")
        }
        .teardown { ctx in
            StateLog.append("teardown")
            if ctx.param("fail_teardown")?.checkedBool == true { throw PluginFailure("sdk teardown failed on purpose") }
        }
        .step("sdk_write", doc: "Writes `text` plus ' r<replicate>' to output `output`, or the data itself when `text` is empty",
              params: [.string("output", default: "note"), .string("text", default: "")]) { ctx, data in
            let text = try ctx.string("text")
            let value = text.isEmpty ? data : ctx.make("\(text) r\(ctx.get("replicate")?.int ?? -1)")
            try ctx.writeOutput(try ctx.string("output"), value)
            return data
        }
        .step("sdk_read", doc: "Reads the first upstream input, a string: metrics chars and matches (1 when it is `expect` plus ' r<replicate>')",
              params: [.string("expect", default: "")]) { ctx, data in
            guard let key = data.keys.first, let text = data[key]?.string else { throw PluginFailure("sdk_read expects an upstream string, got keys \(data.keys)") }
            let expected = "\(try ctx.string("expect")) r\(ctx.get("replicate")?.int ?? -1)"
            ctx.record("chars", Double(text.count))
            ctx.record("matches", text == expected ? 1 : 0)
            return ctx.make([Double(text.count)])
        }
        .codec("sdk_tagged", doc: "Strings written as 'SDK:' + text; reading checks and drops the tag",
               encode: { _, value in
                   guard value.type == CRYS_T_STRING, let bytes = value.bytes else { throw PluginFailure("sdk_tagged writes strings only, got \(value.typeName)") }
                   return Array("SDK:".utf8) + bytes
               },
               decode: { ctx, bytes in
                   guard bytes.starts(with: Array("SDK:".utf8)) else { throw PluginFailure("not an sdk_tagged file (no SDK: tag)") }
                   return ctx.make(String(decoding: bytes.dropFirst(4), as: UTF8.self))
               })
        .install(host)
}

/// Plugin-wide state the probes read back. Written only by plugin init and setup, which the
/// host runs before any replicate and never concurrently with a step; read by steps after.
enum ProbeState {
    nonisolated(unsafe) static var model = 0
    nonisolated(unsafe) static var setups = 0
}

/// SDK_STATE_LOG: one "<event> <pid>" line per lifecycle call, appended with one write.
enum StateLog {
    static func append(_ event: String) {
        guard let path = ProcessInfo.processInfo.environment["SDK_STATE_LOG"] else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { return }
        let line = "\(event) \(getpid())\n"
        _ = line.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
}
