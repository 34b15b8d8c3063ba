import CCrystallize
import OrderedCollections

/// Calls lifecycle hooks of loaded plugins.
enum HookDispatcher {
    /// Calls each hook of `hooks` that wants `event`. Its random stream is fixed by (`seed`,
    /// the hook, the event, the replicate or -1), as the header promises.
    static func call(_ hooks: [PluginExport], event: UInt32, info: OrderedDictionary<String, Value>, seed: UInt64,
                     log: @escaping (String) -> Void) {
        for h in hooks where h.hookEvents & event != 0 {
            guard let fn = h.raw.hook else { continue }
            let replicate: Int64 = info["replicate"].flatMap { v -> Int64? in if case .int(let r) = v { return r } else { return nil } } ?? -1
            let stream = SeededGenerator(seed: seed, labels: "hook", h.qualifiedName, "\(event)", "\(replicate)")
            let frame = CallFrame(exportName: h.qualifiedName, context: nil, params: [:], rng: stream,
                                  services: CallServices(log: { level, m in log(LogLine.prefix(level) + "[\(h.qualifiedName)] \(m)") }))
            let box = frame.borrow(.map(info))
            if fn(frame.pointer, event, box.pointer, h.raw.user) != CRYS_OK {
                log("warning: hook '\(h.qualifiedName)' failed: \(frame.error ?? "no message")")
            }
        }
    }
}
