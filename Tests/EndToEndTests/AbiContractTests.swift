import CrystallizeRuntime
import Foundation
import XCTest

/// The ABI 1.1 contract, through the real host and plugins compiled by the suite: the header
/// compiles cleanly as C11 and C++17, a C++ plugin loads, an entry point declines with a
/// message, plugin-wide state runs once per process, context values are read-only, checked
/// getters tell a wrong type from a real 0, and log levels are kept.
final class AbiContractTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = Harness.temporaryDirectory("abi-contract") }

    func results(_ experiment: String, _ condition: String = "baseline") -> [String: [Double]] {
        let r = Harness.json("\(dir)/data/\(experiment)/v0/\(condition)/results.json") as? [String: Any]
        return (r?["metrics"] as? [String: Any] ?? [:]).compactMapValues { $0 as? [Double] }
    }

    func testHeaderCompilesCleanlyAsC11AndCxx17() {
        // Every struct's size check (CRYS_ENDS_AT) is a static assertion inside the header, so
        // compiling it at all proves no struct ends in padding.
        let c = "\(dir)/h.c", cxx = "\(dir)/h.cpp"
        let body = "#include \"crystallize.h\"\nint crys_header_user(const crys_host *h) { return CRYS_HOST_HAS(h, read_f64) ? (int)sizeof(crys_plugin) : 0; }\n"
        Harness.write(c, body)
        Harness.write(cxx, body)
        let flags = ["-Wall", "-Wextra", "-Werror", "-pedantic", "-I", Harness.includeDirectory, "-c"]
        let rc = AbiContractFixtures.compile(["cc", "-std=c11"] + flags + [c, "-o", "\(dir)/h.o"])
        XCTAssertEqual(rc.status, 0, rc.output)
        let rx = AbiContractFixtures.compile(["c++", "-std=c++17"] + flags + [cxx, "-o", "\(dir)/hx.o"])
        XCTAssertEqual(rx.status, 0, rx.output)
        // The assertion does fire: a struct ending in padding is refused at compile time.
        Harness.write("\(dir)/pad.c", "#include \"crystallize.h\"\ntypedef struct { void *p; uint32_t n; } padded;\nCRYS_ENDS_AT(padded, n);\n")
        let bad = AbiContractFixtures.compile(["cc", "-std=c11"] + flags + ["\(dir)/pad.c", "-o", "\(dir)/pad.o"])
        XCTAssertNotEqual(bad.status, 0, bad.output)
        XCTAssertTrue(bad.output.contains("must end at n with no tail padding"), bad.output)
    }

    func testCxxPluginUsingDefineEntryLoadsAndRuns() {
        let lib = AbiContractFixtures.compileCxx(AbiContractFixtures.cxxPlugin, name: "Cxx", in: dir)
        let i = Harness.run(["inspect", lib], in: dir)
        XCTAssertEqual(i.status, 0, i.output)
        XCTAssertTrue(i.stdout.hasPrefix("Cxx 1.0 — ABI 1.1 — A C++ plugin\n"), i.output)
        XCTAssertTrue(i.stdout.contains("  abi: needs 1.1 (loads on hosts 1.1 and later 1.x), built with \(HostInfo.abi)"), i.output)
        Harness.write("\(dir)/experiments/cxx/config.yaml", "name: cxx\nreplicates: 2\ndatasource: cxx_source\nsteps: [cxx_record]\ntreatments:\n  big:\n    value: 10\n")
        let r = Harness.run(["--plugin", lib, "run", "experiments/cxx"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(results("cxx")["cxx"], [4.5, 4.5])
        XCTAssertEqual(results("cxx", "big")["cxx"], [30, 30])
    }

    func testAPluginWithABI10sDescriptorLayoutStillLoadsAndRuns() {
        // crys_plugin exactly as ABI 1.0 laid it out (56 bytes on LP64, ending at export_count),
        // stating minor 0: a 1.0 plugin needs no rebuild.
        let source = #"""
        #include "crystallize.h"
        static const crys_host *H;
        struct plugin_1_0 { uint32_t size; uint16_t abi_major; uint16_t abi_minor; uint32_t pointer_size;
                            const char *name; const char *version; const char *doc; const crys_export *exports; uint32_t export_count; };
        static crys_status one(crys_ctx *c, crys_value *d, crys_value **o, void *u) { (void)d; (void)u; *o = H->make_f64(c, 4); return CRYS_OK; }
        static crys_status rec(crys_ctx *c, crys_value *d, crys_value **o, void *u) {
            (void)u; H->record_metric(c, "v", H->make_f64(c, H->get_f64(d)), NULL, 0); *o = d; return CRYS_OK;
        }
        static const crys_export es[] = {
            { .size = sizeof(crys_export), .kind = CRYS_KIND_DATASOURCE, .name = "one", .call = one },
            { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "rec", .call = rec } };
        static const struct plugin_1_0 d = { sizeof(struct plugin_1_0), CRYS_ABI_MAJOR, 0, sizeof(void *), "Old10", "1.0", NULL, es, 2 };
        CRYS_DEFINE_ENTRY(host) { H = host; return (const crys_plugin *)(const void *)&d; }
        """#
        let lib = Harness.compileC(source, name: "Old10", in: dir)
        let i = Harness.run(["inspect", lib], in: dir)
        XCTAssertEqual(i.status, 0, i.output)
        XCTAssertTrue(i.stdout.contains("Old10 1.0 — ABI 1.0"), i.output)
        XCTAssertTrue(i.stdout.contains("built with 1.0 (or does not say)"), i.output)
        Harness.write("\(dir)/experiments/o/config.yaml", "name: o\nreplicates: 2\ndatasource: one\nsteps: [rec]\n")
        let r = Harness.run(["--plugin", lib, "run", "experiments/o"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(results("o")["v"], [4, 4])
    }

    func testVerifiersDrawFromTheStreamTheHeaderNames() throws {
        let lib = Harness.compileC(AbiContractFixtures.drawing, name: "Drawing", in: dir)
        func config(seed: Int) -> String {
            """
            name: dr
            replicates: 3
            seed: \(seed)
            datasource: numbers
            steps: [draw_step]
            treatments:
              t: {delta: 1}
            hypotheses:
              - {name: first, verifier: draw_verify, metrics: draw}
              - {name: second, verifier: draw_verify, metrics: draw}
            """
        }
        func pValues(seed: Int) throws -> [String: Double] {
            Harness.write("\(dir)/experiments/dr/config.yaml", config(seed: seed))
            let r = Harness.run(["--plugin", Harness.plugin("MySteps"), "--plugin", lib, "run", "experiments/dr", "--json"], in: dir)
            XCTAssertEqual(r.status, 0, r.output)
            let runs = try XCTUnwrap((try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [[String: Any]], r.output)
            var out: [String: Double] = [:]
            for h in runs.first?["hypotheses"] as? [[String: Any]] ?? [] {
                out[h["name"] as? String ?? "?"] = ((h["results"] as? [String: Any])?["t"] as? [String: Any])?["p_value"] as? Double
            }
            return out
        }
        let one = try pValues(seed: 1)
        XCTAssertEqual(one.count, 2)
        // Fixed by (seed, hypothesis, treatment, group): the same again, other per hypothesis and per seed.
        XCTAssertEqual(try pValues(seed: 1), one)
        XCTAssertNotEqual(one["first"], one["second"])
        XCTAssertNotEqual(try pValues(seed: 2)["first"], one["first"])
        // A step's draws are common to the conditions of a replicate.
        XCTAssertEqual(results("dr")["draw"], results("dr", "t")["draw"])
        XCTAssertEqual(Set(results("dr")["draw"] ?? []).count, 3)
    }

    func testEntryPointDeclinesWithAMessageNamingTheFile() {
        let lib = Harness.compileC(AbiContractFixtures.declining, name: "Picky", in: dir)
        XCTAssertEqual(Harness.run(["inspect", lib], in: dir).status, 0)
        let r = Harness.run(["inspect", lib], in: dir, environment: ["CRYS_TEST_DECLINE": "1"])
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("plugin \(lib): declined to load: no GPU found (libcuda.so.1 missing)"), r.output)
        Harness.write("\(dir)/experiments/p/config.yaml", "name: p\ndatasource: pass\nsteps: [pass]\n")
        let run = Harness.run(["--plugin", lib, "run", "experiments/p"], in: dir, environment: ["CRYS_TEST_DECLINE": "1"])
        XCTAssertNotEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stderr.contains("plugin \(lib): declined to load: no GPU found"), run.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/data/p"), "a declined plugin's run wrote data")
    }

    /// Lines "init|shutdown pid n" of the state log, by pid.
    func stateLog(_ path: String) -> [Int: [String]] {
        var byPid: [Int: [String]] = [:]
        for line in Harness.read(path).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let pid = Int(parts[1]) else { XCTFail("bad state log line '\(line)'"); continue }
            byPid[pid, default: []].append(String(parts[0]))
        }
        return byPid
    }

    func testPluginInitAndShutdownRunOncePerProcess() {
        let lib = Harness.compileC(AbiContractFixtures.stateful, name: "Stateful", in: dir)
        let i = Harness.run(["inspect", lib], in: dir)
        XCTAssertTrue(i.stdout.contains("  plugin-wide state: init + shutdown, once per process"), i.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/state-inspect.log"))
        Harness.write("\(dir)/experiments/st/config.yaml", "name: st\nreplicates: 8\ndatasource: st_source\nsteps: []\ntreatments:\n  t:\n    x: 1\n")
        for (execution, workers) in [("serial", "1"), ("threads", "3"), ("processes", "2")] {
            let log = "\(dir)/state-\(execution).log"
            let r = Harness.run(["--plugin", lib, "run", "experiments/st", "--execution", execution, "--workers", workers], in: dir,
                                environment: ["CRYS_TEST_STATE_LOG": log])
            XCTAssertEqual(r.status, 0, "\(execution): \(r.output)")
            let byPid = stateLog(log)
            for (pid, events) in byPid {
                XCTAssertEqual(events, ["init", "shutdown"], "\(execution): process \(pid) ran \(events)")
            }
            // Every process that ran the datasource had run init first, and saw the state it set.
            let pids = Set((results("st")["pid"] ?? []) + (results("st", "t")["pid"] ?? []))
            XCTAssertEqual(pids.count > 0, true, r.output)
            for pid in pids { XCTAssertNotNil(byPid[Int(pid)], "\(execution): process \(Int(pid)) ran a step without init") }
            XCTAssertEqual(Set(results("st")["model"] ?? []), [42], execution)
            if execution == "processes" {
                XCTAssertGreaterThanOrEqual(pids.count, 2, "processes execution ran every replicate in one process: \(r.output)")
                XCTAssertGreaterThan(byPid.count, pids.count - 1)
            } else {
                XCTAssertEqual(byPid.count, 1, "\(execution): \(byPid)")
            }
        }
    }

    func testFailingInitStopsTheRunNamingThePlugin() {
        let lib = Harness.compileC(AbiContractFixtures.stateful, name: "Stateful", in: dir)
        Harness.write("\(dir)/experiments/st/config.yaml", "name: st\nreplicates: 2\ndatasource: st_source\nsteps: []\n")
        let r = Harness.run(["--plugin", lib, "run", "experiments/st"], in: dir, environment: ["CRYS_TEST_INIT_FAIL": "1"])
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("plugin \(lib): plugin-wide init failed (status 1): model file weights.bin not found"), r.output)
    }

    func testLogLevelsAreKept() {
        let lib = Harness.compileC(AbiContractFixtures.stateful, name: "Stateful", in: dir)
        Harness.write("\(dir)/experiments/st/config.yaml", "name: st\nreplicates: 2\ndatasource: st_source\nsteps: []\n")
        let r = Harness.run(["--plugin", lib, "run", "experiments/st"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.contains("warning: [st_source r0 baseline] replicate zero is special"), r.output)
        XCTAssertFalse(r.output.contains("warning: [st_source r1"), r.output)
    }

    func testContextValuesAreReadOnlyToSteps() {
        let lib = Harness.compileC(AbiContractFixtures.readOnly, name: "ReadOnly", in: dir)
        Harness.write("\(dir)/experiments/ro/config.yaml", "name: ro\nreplicates: 2\ndatasource: numbers\nsteps: [ro_add, ro_write, ro_read]\n")
        let r = Harness.run(["--plugin", Harness.plugin("MySteps"), "--plugin", lib, "run", "experiments/ro"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let m = results("ro")
        // The writing step sees its own private copy; the context keeps [1, 2, 3].
        XCTAssertEqual(m["own_copy"], [100, 100])
        XCTAssertEqual(m["later0"], [1, 1], "a write through f64_data into ctx_get changed the context")
        XCTAssertEqual(m["later1"], [2, 2], "a write through f64_data into a parameter changed the context")
        // Provenance records the value ro_write read, not what it wrote.
        let runs = Harness.provenance("ro", in: dir)?["runs"] as? [[String: Any]] ?? []
        XCTAssertEqual(runs.count, 2)
        for run in runs {
            let steps = run["steps"] as? [[String: Any]] ?? []
            for step in steps where ["ro_write", "ro_read"].contains(step["step"] as? String) {
                let reads = (step["ctx_changes"] as? [String: Any])?["reads"] as? [String: Any]
                XCTAssertEqual(reads?["arr"] as? [Double], [1, 2, 3], "\(step)")
            }
        }
    }

    func testCheckedGettersTellAWrongTypeFromARealValue() {
        let lib = Harness.compileC(AbiContractFixtures.readOnly, name: "ReadOnly", in: dir)
        Harness.write("\(dir)/experiments/ck/config.yaml", "name: ck\nreplicates: 1\ndatasource: numbers\nsteps: [ro_checked]\n")
        let r = Harness.run(["--plugin", Harness.plugin("MySteps"), "--plugin", lib, "run", "experiments/ck"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let m = results("ck")
        let ok = 0.0, typeError = 3.0, invalid = 6.0
        XCTAssertEqual(m["f64_of_string"], [typeError])
        XCTAssertEqual(m["f64_untouched"], [-1], "read_f64 wrote its output on a type error")
        XCTAssertEqual(m["f64_of_i64"], [ok]); XCTAssertEqual(m["f64_value"], [7])
        XCTAssertEqual(m["i64_of_half"], [typeError], "2.5 read as an integer")
        XCTAssertEqual(m["i64_of_i64"], [ok]); XCTAssertEqual(m["i64_value"], [7])
        XCTAssertEqual(m["bool_of_bool"], [ok]); XCTAssertEqual(m["bool_of_i64"], [typeError])
        XCTAssertEqual(m["f64_of_null"], [invalid])
    }
}
