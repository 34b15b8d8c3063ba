import Foundation
import XCTest

/// Plain C functions as steps and datasources, called through libffi: typed exports of the C
/// test plugin, a Swift `@_cdecl` function, libm's `pow` and libc's `strlen` named in config,
/// and parameter resolution (explicit → context → default → error).
final class TypedCallTests: XCTestCase {
    var dir = ""
    var probe = ""

    override func setUp() {
        dir = Harness.temporaryDirectory("typed")
        probe = Harness.compileC(AbiFixtures.probe, name: "Probe", in: dir)
    }

    var plugins: [String] { ["--plugin", Harness.plugin("CTestPlugin"), "--plugin", Harness.plugin("MySteps"), "--plugin", probe] }

    func run(_ exp: String, _ config: String) -> HostRun {
        Harness.write("\(dir)/experiments/\(exp)/config.yaml", config)
        return Harness.run(plugins + ["run", "experiments/\(exp)", "--json"], in: dir)
    }

    func metric(_ exp: String, _ name: String, _ condition: String = "baseline") -> [Double]? {
        let results = Harness.json("\(dir)/data/\(exp)/v0/\(condition)/results.json") as? [String: Any]
        return (results?["metrics"] as? [String: Any])?[name] as? [Double]
    }

    func failures(_ r: HostRun) -> [[String: Any]] {
        let json = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.last
        return json?["failures"] as? [[String: Any]] ?? []
    }

    func testArrayInPlaceVoidAndF64ReturnWithResolutionOrder() {
        let r = run("arrays", """
        name: arrays
        replicates: 2
        datasource: {c_range: {n: 4}}
        steps:
          - c_scale                         # factor: context (treatment) or default 2.0
          - probe_record: {metric: scaled}
          - step: c_scale
            params: {factor: 0.5}           # explicit beats the treatment's factor
          - c_sum                           # returns f64: becomes the data
          - probe_record: {metric: sum}
          - c_is_positive                   # f64 -> bool (a narrow int32_t return)
          - probe_record: {metric: positive}
        treatments:
          triple: {factor: 3.0}
        """)
        XCTAssertEqual(r.status, 0, r.output)
        // [0,1,2,3]: default ×2 = 12, then ×0.5 = 6.
        XCTAssertEqual(metric("arrays", "scaled"), [12, 12])
        XCTAssertEqual(metric("arrays", "sum"), [6, 6])
        XCTAssertEqual(metric("arrays", "positive"), [1, 1])
        // The treatment's factor fills the first c_scale from the context: ×3 = 18, ×0.5 = 9.
        XCTAssertEqual(metric("arrays", "scaled", "triple"), [18, 18])
        XCTAssertEqual(metric("arrays", "sum", "triple"), [9, 9])
    }

    func testTypedDatasourceFromContextWithBoolParamAndFalseNarrowReturn() {
        let r = run("seeded", """
        name: seeded
        replicates: 3
        seed: 5
        datasource: c_seeded                # seed_used and replicate come from the context
        steps:
          - probe_record: {metric: seeded}
          - c_is_positive
          - probe_record: {metric: positive}
        treatments:
          negated: {negate: true}
        """)
        XCTAssertEqual(r.status, 0, r.output)
        // seed_used = 5 + r × 31337: 5, 31342, 62679 → (seed_used mod 1000) + r / 10.
        let expected = [5.0, 342.1, 679.2]
        for (got, want) in zip(metric("seeded", "seeded") ?? [], expected) { XCTAssertEqual(got, want, accuracy: 1e-9) }
        for (got, want) in zip(metric("seeded", "seeded", "negated") ?? [], expected) { XCTAssertEqual(got, -want, accuracy: 1e-9) }
        XCTAssertEqual(metric("seeded", "seeded")?.count, 3)
        XCTAssertEqual(metric("seeded", "positive"), [1, 1, 1])
        XCTAssertEqual(metric("seeded", "positive", "negated"), [0, 0, 0])
    }

    func testSwiftCdeclFunctionThroughLibffi() {
        let r = run("swift", """
        name: swift
        replicates: 2
        datasource: {numbers: {count: 3, noise: 0.0}}
        steps: [scale, record_metric]
        treatments:
          five: {factor: 5.0}
        """)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(metric("swift", "total"), [12, 12])      // (1+2+3) × default 2
        XCTAssertEqual(metric("swift", "total", "five"), [30, 30])
    }

    func testLibmPowNamedInConfig() {
        let r = run("pow", """
        name: pow
        replicates: 2
        seed: 5
        datasource: c_seeded
        steps:
          - ffi: {library: libm.so.6, signature: "f64 pow(f64 data, f64 exponent)"}
            params: {exponent: 2}
          - probe_record: {metric: squared}
          - name: cube
            ffi: {library: libm.so.6, signature: "f64 pow(f64 data, f64 exponent = 3)"}
          - probe_record: {metric: sixth}
        treatments:
          half: {exponent: 0.5}
        """)
        XCTAssertEqual(r.status, 0, r.output)
        // 5.0 and 342.1: squared, then the cube step's exponent: default 3 in the baseline,
        // the treatment's 0.5 from the context (the explicit 2 of the first step still wins).
        let squared = metric("pow", "squared") ?? []
        XCTAssertEqual(squared.count, 2)
        for (got, x) in zip(squared, [5.0, 342.1]) { XCTAssertEqual(got, x * x, accuracy: 1e-6) }
        for (got, x) in zip(metric("pow", "sixth") ?? [], [5.0, 342.1]) { XCTAssertEqual(got, pow(x, 6), accuracy: 1e-6 * pow(x, 6)) }
        for (got, x) in zip(metric("pow", "sixth", "half") ?? [], [5.0, 342.1]) { XCTAssertEqual(got, x, accuracy: 1e-9) }
        // Provenance names the real library file behind the bare "libm.so.6" and its sha256 (part
        // of the step's identity), the same in every run: a fresh process each time.
        for run in 0..<3 {
            let data = run == 0 ? "data" : "again\(run)"
            if run > 0 { XCTAssertEqual(Harness.run(plugins + ["run", "experiments/pow", "--quiet", "--data-dir", data], in: dir).status, 0) }
            let prov = Harness.json("\(dir)/\(data)/pow/v0/provenance.json") as? [String: Any]
            let cube = (prov?["pipeline"] as? [[String: Any]])?.first { $0["name"] as? String == "cube" }
            XCTAssertEqual(cube?["function"] as? String, "pow")
            XCTAssertTrue((cube?["library"] as? String ?? "").hasSuffix("/libm.so.6"), "\(String(describing: cube))")
            XCTAssertNotNil((cube?["library_sha256"] as? String)?.range(of: "^[0-9a-f]{64}$", options: .regularExpression), "\(String(describing: cube))")
        }
    }

    func testStringAndI64ArgumentsAndLibcStrlen() {
        let r = run("strings", """
        name: strings
        datasource: {probe_strlen: {label: "crystal"}}
        steps:
          - probe_record: {metric: len}
          - probe_twice                      # i64 data, offset default 0
          - probe_record: {metric: twice}
          - {step: probe_twice, params: {offset: -4}}
          - probe_record: {metric: again}
        """)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(metric("strings", "len"), [7])
        XCTAssertEqual(metric("strings", "twice"), [14])
        XCTAssertEqual(metric("strings", "again"), [24])

        let c = run("strlen", """
        name: strlen
        datasource:
          ffi: {library: libc.so.6, signature: "i64 strlen(string text)"}
          params: {text: "héllo"}
        steps: [{probe_record: {metric: bytes}}]
        """)
        XCTAssertEqual(c.status, 0, c.output)
        XCTAssertEqual(metric("strlen", "bytes"), [6], "UTF-8 bytes of héllo")
    }

    func testMissingParameterNamesStepAndParameterAndContextCanFillIt() {
        let r = run("need", """
        name: need
        replicates: 2
        seed: 5
        datasource: c_seeded
        steps:
          - probe_need
          - probe_record: {metric: gained}
        treatments:
          ten: {gain: 10}
        """)
        XCTAssertEqual(r.status, 1, r.output)
        let f = failures(r)
        XCTAssertEqual(f.count, 2, r.output)
        for failure in f {
            XCTAssertEqual(failure["condition"] as? String, "baseline")
            XCTAssertEqual(failure["step"] as? String, "probe_need")
            XCTAssertEqual(failure["message"] as? String,
                           "step 'probe_need' needs parameter 'gain': it is not in the step's params, not in the context, and has no default")
        }
        for (got, x) in zip(metric("need", "gained", "ten") ?? [], [5.0, 342.1]) { XCTAssertEqual(got, 10 * x, accuracy: 1e-9) }
        XCTAssertEqual(metric("need", "gained", "ten")?.count, 2)

        let human = Harness.run(plugins + ["run", "experiments/need"], in: dir)
        XCTAssertTrue(human.stdout.contains("step probe_need: step 'probe_need' needs parameter 'gain'"), human.output)

        let pow = run("pow_missing", """
        name: pow_missing
        datasource: c_seeded
        steps:
          - ffi: {library: libm.so.6, signature: "f64 pow(f64 data, f64 exponent)"}
        """)
        XCTAssertEqual(pow.status, 1, pow.output)
        XCTAssertEqual(failures(pow).first?["message"] as? String,
                       "step 'pow' needs parameter 'exponent': it is not in the step's params, not in the context, and has no default")
    }

    func testBadTypedConfigIsRefusedBeforeRunning() {
        let cases: [(String, String)] = [
            ("steps: [{step: c_scale, params: {factor: fast}}]", "parameter 'factor' of 'CTestPlugin.c_scale' must be f64, got string"),
            ("steps: [{step: c_scale, params: {speed: 2}}]", "has no parameter 'speed'; its parameters: factor"),
            ("steps: [{ffi: {library: libm.so.6, signature: \"f64 pow(f64 data, f64 exponent\"}}]", "expected 'type name(type param, ...)'"),
            ("steps: [{ffi: {library: libm.so.6, signature: \"f32 pow(f64 data)\"}}]", "unknown return type 'f32'"),
            ("steps: [{ffi: {library: libm.so.6, signature: \"f64 pow(double data)\"}}]", "parameter 'double data' must be 'type name'"),
            ("steps: [{ffi: {library: libm.so.6, signature: \"f64 pow(f64 a, f64 a)\"}}]", "parameter 'a' appears twice"),
            ("steps: [{ffi: {library: libm.so.6, signature: \"f64 no_such_fn(f64 data)\"}}]", "library 'libm.so.6' has no symbol 'no_such_fn'"),
            ("steps: [{ffi: {library: libnothing.so.9, signature: \"f64 pow(f64 data)\"}}]", "cannot open library 'libnothing.so.9'"),
            ("steps: [{ffi: {library: libm.so.6}}]", "ffi needs both 'library' and 'signature'"),
        ]
        for (i, (steps, message)) in cases.enumerated() {
            let r = run("bad\(i)", "name: bad\(i)\ndatasource: c_range\n\(steps)\n")
            XCTAssertEqual(r.status, 2, "\(steps): \(r.output)")
            XCTAssertTrue(r.stderr.contains("experiments/bad\(i)/config.yaml:3"), "\(steps): \(r.output)")
            XCTAssertTrue(r.stderr.contains(message), "\(steps): expected '\(message)' in \(r.output)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/data/bad\(i)"), "\(steps): a run started")
        }
    }

    func testWrongDataTypeForTypedStepFailsTheStepWithAMessage() {
        // c_is_positive takes an f64; an f64[] must fail the step, never reach the C function.
        let r = run("wrongdata", "name: wrongdata\ndatasource: c_range\nsteps: [c_is_positive]\n")
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertEqual(failures(r).first?["step"] as? String, "c_is_positive")
        XCTAssertTrue((failures(r).first?["message"] as? String ?? "").contains("parameter 'data' must be f64, got f64[]"), r.output)
    }
}
