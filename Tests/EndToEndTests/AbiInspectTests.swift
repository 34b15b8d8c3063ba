import Foundation
import XCTest

/// `crystallize-host inspect` lists every export of the real plugins, from descriptors alone.
final class AbiInspectTests: XCTestCase {
    func inspect(_ product: String) -> HostRun {
        let r = Harness.run(["inspect", Harness.plugin(product)], in: Harness.temporaryDirectory("inspect"))
        XCTAssertEqual(r.status, 0, r.output)
        return r
    }

    /// The lines of `section` ("steps:", "datasources:", ...) up to the next blank line.
    func section(_ text: String, _ header: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: header) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty })
    }

    func testCTestPluginListsEveryKindWithParamsTypesDefaultsAndFlags() {
        let out = inspect("CTestPlugin").stdout
        XCTAssertTrue(out.hasPrefix("CTestPlugin 1.0.0 — ABI 1.0 — Every kind of export, in plain C\n"), out)
        XCTAssertTrue(out.contains("  file: "), out)
        XCTAssertNotNil(out.range(of: #"sha256: [0-9a-f]{64}"#, options: .regularExpression), out)
        // The first steps, in order (exports appended later for other tests follow them).
        let steps = section(out, "steps:")
        XCTAssertTrue(steps.contains("  c_log [thread-safe] — Logs \"<message> r<replicate>\" at level (0 debug .. 3 error)"), "\(steps)")
        XCTAssertEqual(Array(steps.prefix(15)), [
            "  c_add [cacheable, thread-safe] — Adds amount in place; metric c_sum; artifact sum.txt",
            "      amount: f64 = 1.0 — Amount added to each number",
            "  c_scale [thread-safe, typed C function -> void] — void c_scale(double *data, int64_t n, double factor)",
            "      data: f64[] (the step's input) — The numbers, scaled in place",
            "      factor: f64 = 2.0 — Multiplier",
            "  c_sum [thread-safe, typed C function -> f64] — double c_sum(double *data, int64_t n)",
            "      data: f64[] (the step's input) — The numbers",
            "  c_is_positive [thread-safe, typed C function -> bool] — int32_t c_is_positive(double data)",
            "      data: f64 (the step's input) — A number",
            "  c_sleep [thread-safe, async] — Waits ms milliseconds asynchronously, passes data on",
            "      ms: i64 = 10 — Milliseconds to wait",
            "  c_crash [thread-safe] — Crashes (segv/abort/exit) or fails on a replicate",
            "      mode: string = \"segv\" — segv, abort, exit or error",
            "      on_replicate: i64 = -1 — Replicate to crash on; -1 for all",
            "  c_unsafe — Not thread-safe; fails if entered concurrently",
        ])
        XCTAssertEqual(section(out, "datasources:"), [
            "  c_range [cacheable, thread-safe] — Numbers 0..n-1 as an f64 array",
            "      n: i64 = 4 — How many numbers",
            "  c_seeded [thread-safe, typed C function -> f64] — double c_seeded(int64_t seed_used, int64_t replicate, int32_t negate)",
            "      seed_used: i64 (required) — From the context",
            "      replicate: i64 (required) — From the context",
            "      negate: bool = false — Negate the result",
        ])
        XCTAssertEqual(section(out, "verifiers:"), [
            "  c_greater [thread-safe] — p = 0.01 when the treatment mean is larger",
            "      alpha: f64 = 0.05 — Significance level",
        ])
        XCTAssertEqual(section(out, "strategies:"), [
            "  c_reverse — Runs pending replicates in reverse order",
            "  c_workers — One worker process per replicate, via worker command lines",
        ])
        XCTAssertEqual(section(out, "hooks:").count, 1)
        XCTAssertTrue(section(out, "hooks:").first?.hasPrefix("  c_hook [events: before_run, after_run] — ") == true, out)
        XCTAssertEqual(section(out, "codecs:"), ["  c_upper [encode, decode] — Writes text upper-cased"])
    }

    func testSwiftSDKPluginListsStepsDatasourcesAndTypedFunction() {
        let out = inspect("MySteps").stdout
        // 1.2: MySteps has one export of each kind, an optimizer among them.
        XCTAssertTrue(out.hasPrefix("MySteps 1.1.0 — ABI 1.2 — Example steps of the crystallize-host demo\n"), out)
        XCTAssertTrue(out.contains("  plugin-wide state: init + shutdown, once per process"), out)
        XCTAssertEqual(section(out, "codecs:"), ["  summary_lines [encode, decode] — A {numbers, replicate} summary as text: 'replicate N', then one number a line"])
        XCTAssertEqual(section(out, "optimizers:"), ["  random_search — Tries `trials` points drawn uniformly from the search space, in one batch"])
        let steps = section(out, "steps:")
        for line in ["  add_delta [cacheable, thread-safe] — Adds delta to every number, in place",
                     "      delta: f64 = 0.0 — Amount to add",
                     "  record_metric [thread-safe] — Records the sum of the numbers as metric 'total'",
                     "  scale [thread-safe, typed C function -> void] — Multiplies every number by factor (a @_cdecl Swift function called through libffi)",
                     "      data: f64[] (the step's input)",
                     "      factor: f64 = 2.0"] {
            XCTAssertTrue(steps.contains(line), "missing '\(line)' in:\n\(out)")
        }
        XCTAssertEqual(section(out, "datasources:"), [
            "  numbers [thread-safe] — A few numbers with per-replicate Gaussian noise",
            "      count: i64 = 3 — How many numbers",
            "      noise: f64 = 1.0 — Noise standard deviation",
        ])
    }

    func testSeveralPluginsAndBadOnesInOneInspect() {
        let dir = Harness.temporaryDirectory("inspect2")
        let both = Harness.run(["inspect", Harness.plugin("MySteps"), "--plugin", Harness.plugin("CTestPlugin")], in: dir)
        XCTAssertEqual(both.status, 0, both.output)
        XCTAssertTrue(both.stdout.contains("MySteps 1.1.0") && both.stdout.contains("CTestPlugin 1.0.0"), both.output)
        let none = Harness.run(["inspect"], in: dir)
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.stderr.contains("give a plugin library path"), none.output)
    }
}
