import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The run screen: replicates done/total, conditions, errors, elapsed and an ETA from an
/// exponential moving average of the time per replicate. It draws one line on a terminal
/// (stderr) at most ten times a second, and nothing at all when not enabled.
public final class ProgressReporter {
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

    /// A reporter for `total` replicates of `conditions` conditions each.
    public init(label: String, total: Int, conditions: Int, enabled: Bool) {
        self.label = label
        self.total = total
        self.conditions = conditions
        self.enabled = enabled
    }

    /// Whether stderr is a terminal (progress is drawn only then).
    public static var stderrIsTerminal: Bool { isatty(2) != 0 }

    /// Counts a finished (replicate, condition): `first` when none had finished before (else
    /// it replaces an earlier outcome, which `wasFailed` says had failed).
    func conditionFinished(first: Bool, failed: Bool, wasFailed: Bool, replicateDone: Bool) {
        guard enabled else { return }
        lock.lock()
        if first { conditionsDone += 1 }
        errors += (failed ? 1 : 0) - (wasFailed ? 1 : 0)
        if replicateDone {
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
