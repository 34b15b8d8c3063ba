// The cost of one step call through the ABI, in nanoseconds per call.
//
// Usage: abi-bench [calls per case, default 1000000] [rounds, default 5]
//
// Every case loads its plugin with the host's own loader and calls the step through
// StepBenchmark, which does per call what the engine does around a step: resolve parameters,
// make a call frame, call through the ABI, take the output. The typed cases are also timed as
// plain direct C calls, and the difference is the cost beyond the step's own work.
import CrystallizeRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments.dropFirst()
let calls = arguments.first.flatMap { Int($0) } ?? 1_000_000
let rounds = arguments.dropFirst().first.flatMap { Int($0) } ?? 5
guard calls > 0, rounds > 0 else {
    FileHandle.standardError.write("usage: abi-bench [calls > 0] [rounds > 0]\n".data(using: .utf8)!)
    exit(2)
}

/// The folder holding this executable and the plugin products built with it.
let products = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    ?? CommandLine.arguments[0]).deletingLastPathComponent()

func fail(_ message: String) -> Never {
    FileHandle.standardError.write("abi-bench: \(message)\n".data(using: .utf8)!)
    exit(1)
}

let registry = PluginRegistry()
func plugin(_ product: String) -> LoadedPlugin {
    let path = products.appendingPathComponent("lib\(product).so").path
    do { return try registry.load(path) } catch { fail("\(error) (build with `swift build -c release --package-path bench/abi`)") }
}
let cSteps = plugin("BenchCSteps")
let swiftSteps = plugin("BenchSwiftSteps")

/// The smallest of `rounds` timings of `body`, in ns per call: the least disturbed round.
func best(_ body: () async throws -> UInt64) async rethrows -> Double {
    var out = Double.infinity
    for _ in 0..<rounds { out = min(out, Double(try await body()) / Double(calls)) }
    return out
}

/// ns per call of `export` through StepBenchmark, after a warm-up.
func throughABI(_ p: LoadedPlugin, _ name: String, params: [(String, Value)] = [], input: Value?) async -> Double {
    guard let e = p.export(named: name) else { fail("\(p.name) has no export '\(name)'") }
    do {
        var explicit = StepBenchmark.Params()
        for (k, v) in params { explicit[k] = v }
        let bench = try StepBenchmark(export: e, params: explicit)
        _ = try await bench.run(iterations: min(calls, 10_000), input: input)
        return try await best { try await bench.run(iterations: calls, input: input).nanoseconds }
    } catch { fail("\(p.name).\(name): \(error)") }
}

/// ns per call of the same C function called directly (its own work), after a warm-up.
func direct(_ body: () -> Void) async -> Double {
    for _ in 0..<min(calls, 10_000) { body() }
    return await best {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls { body() }
        return DispatchTime.now().uptimeNanoseconds - start
    }
}

// The C functions themselves, looked up like any symbol (no inlining is possible).
guard let handle = dlopen(cSteps.realPath, RTLD_NOW | RTLD_LOCAL),
      let scaleSym = dlsym(handle, "b_scale"), let sumSym = dlsym(handle, "b_sum"), let nothingSym = dlsym(handle, "b_nothing")
else { fail("cannot look up the C functions in \(cSteps.realPath)") }
typealias ScaleFn = @convention(c) (UnsafeMutablePointer<Double>?, Int64, Double) -> Void
typealias SumFn = @convention(c) (UnsafeMutablePointer<Double>?, Int64) -> Double
typealias NothingFn = @convention(c) () -> Void
let scaleFn = unsafeBitCast(scaleSym, to: ScaleFn.self)
let sumFn = unsafeBitCast(sumSym, to: SumFn.self)
let nothingFn = unsafeBitCast(nothingSym, to: NothingFn.self)

// Four numbers: the steps' own work stays a few nanoseconds, so the call cost dominates.
let array = DoubleArray.copy(of: [1, 2, 3, 4])
let data = Value.doubles(array)
var sink = 0.0

struct Row { var name: String; var abi: Double; var own: Double? }
var rows: [Row] = []
rows.append(Row(name: "C value step (b_pass: returns its input)", abi: await throughABI(cSteps, "b_pass", input: data), own: nil))
rows.append(Row(name: "C value step (b_touch: param + f64_data)", abi: await throughABI(cSteps, "b_touch", params: [("amount", .double(0))], input: data), own: nil))
rows.append(Row(name: "Swift SDK step (swift_pass)", abi: await throughABI(swiftSteps, "swift_pass", input: data), own: nil))
rows.append(Row(name: "Swift SDK step (swift_touch: param + doubles)", abi: await throughABI(swiftSteps, "swift_touch", params: [("amount", .double(0))], input: data), own: nil))
rows.append(Row(name: "typed libffi void b_nothing(void)", abi: await throughABI(cSteps, "b_nothing", input: data),
                own: await direct { nothingFn() }))
rows.append(Row(name: "typed libffi void b_scale(f64[4], factor)", abi: await throughABI(cSteps, "b_scale", params: [("factor", .double(1))], input: data),
                own: await direct { scaleFn(array.base, Int64(array.count), 1) }))
rows.append(Row(name: "typed libffi f64 b_sum(f64[4])", abi: await throughABI(cSteps, "b_sum", input: data),
                own: await direct { sink += sumFn(array.base, Int64(array.count)) }))

func format(_ d: Double) -> String { String(format: "%.1f", d) }
print("abi-bench: \(calls) calls per case, best of \(rounds) rounds, ns per call")
print("| case | through the ABI | step's own work (direct C call) | beyond the step's own work |")
print("|---|---:|---:|---:|")
for r in rows {
    let own = r.own.map(format) ?? "~0"
    let beyond = r.own.map { format(r.abi - $0) } ?? format(r.abi)
    print("| \(r.name) | \(format(r.abi)) | \(own) | \(beyond) |")
}
if sink.isNaN { print("") }  // keeps the direct b_sum calls observable
