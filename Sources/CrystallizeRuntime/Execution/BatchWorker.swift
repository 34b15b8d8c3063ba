import Foundation

/// A worker that runs a batch of replicates in one process, one after another, writing each
/// replicate's result file as soon as it finishes: a cluster task killed midway keeps every
/// replicate it finished, and a task that runs again (requeued) skips them.
enum BatchWorker {
    /// The placeholder in a result-path pattern that becomes each replicate's index.
    static let placeholder = "{r}"

    /// Replicate indices written as "7", "2-5" or "1,3,5-7"; nil when the text is not such a list.
    static func parse(_ text: String) -> [Int]? {
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch ends.count {
            case 1: guard let a = ends[0], a >= 0 else { return nil }; out.append(a)
            case 2: guard let a = ends[0], let b = ends[1], a >= 0, a <= b else { return nil }; out += Array(a...b)
            default: return nil
            }
        }
        return out.isEmpty ? nil : out
    }

    /// Runs `list` (every condition of each replicate) with `runner`, writing
    /// `pattern` (with `{r}` replaced) per replicate. Returns the exit code: 0 when every
    /// replicate succeeded, 1 when a step failed in one, 2 for bad arguments or a write failure.
    static func run(_ list: String, pattern: String, plan: Plan, runner: ReplicateRunner,
                    output: ReplicateOutput, events: EventLineBuffer?, log: (String) -> Void) async -> Int32 {
        guard let replicates = parse(list) else { log("crystallize-host worker: --replicates must list indices like 0,3,5-9, got '\(list)'"); return 2 }
        guard pattern.contains(placeholder) else { log("crystallize-host worker: --out-pattern must contain \(placeholder), got '\(pattern)'"); return 2 }
        if let bad = replicates.first(where: { $0 >= plan.replicates }) {
            log("crystallize-host worker: replicate \(bad) is out of range (the experiment has \(plan.replicates))"); return 2
        }
        var anyFailed = false
        for r in replicates {
            let path = pattern.replacingOccurrences(of: placeholder, with: String(r))
            // A result written by an earlier attempt of this task stays: its replicate is done.
            if FileManager.default.fileExists(atPath: path), (try? WorkerResultFile.read(path)) != nil {
                log("crystallize: replicate \(r) already has its result (an earlier attempt); skipped")
                continue
            }
            let started = Date()
            output.begin(r)
            let outcomes = await runner.run(replicate: r, conditions: plan.conditions)
            output.end()
            do {
                try WorkerResultFile.write(outcomes, events: events?.take(), to: path)
            } catch {
                log("crystallize-host worker: \(error)"); return 2
            }
            if outcomes.contains(where: { $0.failure != nil }) { anyFailed = true }
            log("crystallize: replicate \(r) finished in \(String(format: "%.3f", Date().timeIntervalSince(started))) s")
        }
        return anyFailed ? 1 : 0
    }
}
