import Foundation

/// What `run --debug` prints while its replicate runs: each stage's input, parameters with
/// their origin, output, context writes, metrics, logs and time, in the order they happen.
/// It is the runner's `StageTracer` (the data) and a run-event subscriber (times, failures).
final class DebugPrinter: StageTracer, RunEventSubscriber {
    private let lock = NSLock()
    private let out: (String) -> Void
    /// Stages whose datasource role means they take no input.
    private let datasource: String?
    /// The condition debugged and the context keys its treatment adds.
    private let condition: Condition

    init(datasource: String?, condition: Condition, out: @escaping (String) -> Void) {
        self.datasource = datasource
        self.condition = condition
        self.out = out
    }

    /// Prints `line` as is, serialised with everything else the printer prints.
    func print(_ line: String) { lock.lock(); out(line); lock.unlock() }

    /// A log line of the engine, a step or a hook, printed where it happened.
    func log(_ line: String) { print("    log " + line) }

    func stageWillRun(_ stage: String, replicate: Int, condition: String, input: Value?, params: [TracedParam]) {
        var lines = ["", "step \(stage)\(stage == datasource ? " (datasource)" : "")"]
        if let input { lines.append("    input   \(DebugValueText.abridged(input))") }
        if params.isEmpty { lines.append("    params  none") }
        for p in params { lines.append("    param   \(p.name) = \(DebugValueText.abridged(p.value))  (\(origin(p)))") }
        print(lines.joined(separator: "\n"))
    }

    /// A parameter's origin in words: a context key the treatment added says so.
    private func origin(_ p: TracedParam) -> String {
        p.origin == .context && condition.additions[p.name] != nil ? "context, from treatment \(condition.name)" : p.origin.rawValue
    }

    func stageDidRun(_ stage: String, replicate: Int, condition: String, output: Value, cacheHit: Bool,
                     writes: [(key: String, value: Value)], metrics: [(name: String, value: Value)]) {
        var lines = ["    output  \(DebugValueText.abridged(output))\(cacheHit ? "  (cache hit)" : "")"]
        for w in writes { lines.append("    context + \(w.key) = \(DebugValueText.abridged(w.value))") }
        for m in metrics { lines.append("    metric  \(m.name) <- \(DebugValueText.abridged(m.value))") }
        print(lines.joined(separator: "\n"))
    }

    func receive(_ event: RunEvent) {
        switch event {
        case let .stepFinished(_, _, _, step, duration, _):
            print("    done    \(step) in \(RunScreenFormat.duration(duration))")
        case let .failure(_, _, _, step, message):
            print("    FAILED  \(step): \(message)")
        default: break
        }
    }
}
