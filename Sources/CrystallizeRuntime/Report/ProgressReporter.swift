import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The progress line: replicates done/total, conditions, errors, elapsed and an ETA from an
/// exponential moving average of the time per replicate. It draws one line on a terminal
/// (stderr) at most ten times a second, and nothing at all when not enabled.
///
/// A subscriber of the run's events: it counts `replicate_finished` and shows `progress`
/// messages of its experiment. A (replicate, condition) finishing again (a plugin loop retrying
/// it) replaces its earlier outcome and is counted once.
public final class ProgressReporter: RunEventSubscriber {
    private let lock = NSLock()
    private let total: Int
    private let conditions: Int
    private var done = 0, conditionsDone = 0, errors = 0
    private let start = Date()
    private var lastTick = Date()
    private var ema: Double? = nil
    private var lastDraw = Date.distantPast
    private let enabled: Bool
    private let label: String
    private var note = ""
    /// Whether each (replicate, condition) seen so far failed.
    private var outcomes: [Slot: Bool] = [:]
    /// Finished conditions per replicate, those of an earlier run (resume) included.
    private var finishedPerReplicate: [Int: Int] = [:]
    private struct Slot: Hashable { let replicate: Int; let condition: String }

    /// A reporter for `total` replicates of `conditions` conditions each.
    public init(label: String, total: Int, conditions: Int, enabled: Bool) {
        self.label = label
        self.total = total
        self.conditions = conditions
        self.enabled = enabled
    }

    /// Whether stderr is a terminal (progress is drawn only then).
    public static var stderrIsTerminal: Bool { isatty(2) != 0 }

    /// Notes a (replicate, condition) an earlier run finished: not counted, but its replicate
    /// is done once the rest of its conditions finish.
    public func preload(replicate: Int, condition: String) {
        lock.lock(); defer { lock.unlock() }
        if outcomes.updateValue(false, forKey: Slot(replicate: replicate, condition: condition)) == nil { finishedPerReplicate[replicate, default: 0] += 1 }
    }

    /// Counts `replicate_finished` and shows `progress` of this reporter's experiment.
    public func receive(_ event: RunEvent) {
        switch event {
        case let .replicateFinished(e, r, c, _, succeeded) where e == label: conditionFinished(r, c, failed: !succeeded)
        case let .progress(e, text) where e == label: message(text)
        default: break
        }
    }

    private func conditionFinished(_ r: Int, _ condition: String, failed: Bool) {
        guard enabled else { return }
        lock.lock()
        let earlier = outcomes.updateValue(failed, forKey: Slot(replicate: r, condition: condition))
        if earlier == nil { conditionsDone += 1; finishedPerReplicate[r, default: 0] += 1 }
        errors += (failed ? 1 : 0) - (earlier == true ? 1 : 0)
        if earlier == nil && finishedPerReplicate[r] == conditions {
            done += 1
            let now = Date()
            let dt = now.timeIntervalSince(lastTick)
            lastTick = now
            // alpha 0.1: smooth enough to ignore one slow replicate, quick enough to follow a trend.
            ema = ema.map { 0.9 * $0 + 0.1 * dt } ?? dt
        }
        lock.unlock()
        draw(force: false)
    }

    /// A message from a strategy (e.g. "slurm: 12 running, 4 pending").
    public func message(_ text: String) {
        lock.lock(); note = text; lock.unlock()
        draw(force: true)
    }

    /// The current line.
    public func line() -> String {
        lock.lock(); defer { lock.unlock() }
        let elapsed = Date().timeIntervalSince(start)
        let eta = ema.map { format($0 * Double(max(total - done, 0))) } ?? "?"
        var s = "\(label): replicates \(done)/\(total)  conditions \(conditionsDone)/\(total * conditions)  errors \(errors)  elapsed \(format(elapsed))  eta \(eta)"
        if !note.isEmpty { s += "  | \(note)" }
        return s
    }

    private func format(_ t: Double) -> String {
        let s = Int(t.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }

    private func draw(force: Bool) {
        guard enabled else { return }
        let now = Date()
        lock.lock()
        let due = force || now.timeIntervalSince(lastDraw) > 0.1
        if due { lastDraw = now }
        lock.unlock()
        if due { FileHandle.standardError.write(("\r\u{1B}[2K" + line()).data(using: .utf8)!) }
    }

    /// Ends the progress line.
    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(("\r\u{1B}[2K" + line() + "\n").data(using: .utf8)!)
    }
}
