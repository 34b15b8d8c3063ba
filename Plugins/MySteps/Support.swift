import Crystallize
import Foundation
import Synchronization

/// What save_summary writes and summarize_input reads: the numbers of one replicate.
struct Summary {
    var numbers: [Double]
    var replicate: Int64

    init(numbers: [Double], replicate: Int64) { self.numbers = numbers; self.replicate = replicate }

    /// Reads a {numbers, replicate} map; nil when it is not one.
    init?(_ value: HostValue) {
        guard value.type == CRYS_T_MAP, let numbers = value["numbers"], let replicate = value["replicate"]?.checkedInt else { return nil }
        self.init(numbers: numbers.numbers, replicate: replicate)
    }

    /// Parses the summary_lines format; a bad line is an error naming it.
    init(lines text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first, first.hasPrefix("replicate "), let r = Int64(first.dropFirst("replicate ".count)) else {
            throw PluginFailure("summary_lines: line 1 must be 'replicate N', got '\(lines.first ?? "")'")
        }
        let numbers = try lines.dropFirst().enumerated().map { i, line -> Double in
            guard let d = Double(line) else { throw PluginFailure("summary_lines: line \(i + 2) is not a number: '\(line)'") }
            return d
        }
        self.init(numbers: numbers, replicate: r)
    }

    /// The summary_lines text ("\(d)" round-trips every double exactly).
    var lines: String { (["replicate \(replicate)"] + numbers.map { "\($0)" }).joined(separator: "\n") + "\n" }

    /// As a host map.
    func value(_ ctx: StepContext) -> HostValue {
        ctx.makeMap(["numbers": ctx.makeList(numbers.map { ctx.make($0) }), "replicate": ctx.make(replicate)])
    }
}

/// A two-sided z-test of the difference of two means (normal approximation).
struct ZTest {
    let difference: Double, z: Double, pValue: Double

    init(baseline: [Double], treatment: [Double]) {
        func meanAndVariance(_ v: [Double]) -> (Double, Double) {
            let m = v.reduce(0, +) / Double(v.count)
            return (m, v.count > 1 ? v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1) : .nan)
        }
        let (mb, vb) = meanAndVariance(baseline), (mt, vt) = meanAndVariance(treatment)
        difference = mt - mb
        let se = (vb / Double(baseline.count) + vt / Double(treatment.count)).squareRoot()
        // Identical constant samples have no spread: any difference at all is certain.
        z = se > 0 ? difference / se : (difference == 0 ? 0 : difference.sign == .minus ? -.infinity : .infinity)
        pValue = z.isNaN ? .nan : erfc(abs(z) / 2.0.squareRoot())
    }
}

/// The trace file of MYSTEPS_TRACE: opened by the plugin's init, closed by its shutdown, one
/// per process (each worker process appends its own lines, tagged with its pid).
enum Trace {
    /// The open trace file, if tracing; a Mutex keeps it safe to reach from any thread.
    private static let file = Mutex<FileHandle?>(nil)
    /// Whether a trace file is open, read before taking the lock: an untraced run (every run
    /// but the tests') pays one atomic load a call instead of a lock.
    private static let tracing = Atomic<Bool>(false)

    static func open(_ path: String?) throws {
        guard let path, !path.isEmpty else { return }
        // O_APPEND: worker processes share the file, and each line must land after the others'.
        let fd = Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw PluginFailure("MYSTEPS_TRACE: cannot open \(path) for writing: \(String(cString: strerror(errno)))") }
        file.withLock { $0 = FileHandle(fileDescriptor: fd, closeOnDealloc: true) }
        tracing.store(true, ordering: .releasing)
        write("init")
    }

    /// Appends `line` when tracing is on. The line is built only then: record_metric traces
    /// every replicate, and building it (reading context keys, which provenance records as the
    /// step's reads) on untraced runs would cost every run and change what it records.
    static func write(_ line: @autoclosure () -> String) {
        guard tracing.load(ordering: .acquiring) else { return }
        file.withLock { handle in
            guard let handle else { return }
            handle.write(Data("\(getpid()) \(line())\n".utf8))
        }
    }

    static func close() {
        write("shutdown")
        tracing.store(false, ordering: .releasing)
        file.withLock { try? $0?.close(); $0 = nil }
    }
}

/// random_search: every trial in one batch, each parameter uniform in [low, high] (a choice
/// picks one of its values), drawn from the optimizer's seeded stream.
final class RandomSearch: OptimizerSearch {
    let space: [(name: String, low: Double, high: Double, choices: [Double])]
    let trials: Int
    var asked = false

    init(space: HostValue, settings: HostValue) {
        self.space = space.keys.map { name in
            let p = space[name]
            return (name, p?["low"]?.double ?? 0, p?["high"]?.double ?? 1, p?["values"]?.numbers ?? [])
        }
        trials = Int(settings["trials"]?.checkedInt ?? 10)
    }

    func ask(_ ctx: StepContext) throws -> [OptimizerTrial] {
        if asked { return [] }
        asked = true
        return (0..<trials).map { _ in
            OptimizerTrial(params: space.map { p in
                let u = ctx.uniform()
                return (p.name, p.choices.isEmpty ? p.low + (p.high - p.low) * u : p.choices[min(Int(u * Double(p.choices.count)), p.choices.count - 1)])
            })
        }
    }

    func tell(_ ctx: StepContext, _ reports: [OptimizerReport]) throws {}
}
