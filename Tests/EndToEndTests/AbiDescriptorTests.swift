import CrystallizeRuntime
import Foundation
import XCTest

/// Descriptor checks: every malformed or incompatible plugin is refused before any of its code
/// beyond the entry point runs, with a message naming the file and a non-zero exit.
final class AbiDescriptorTests: XCTestCase {
    var dir = ""

    override func setUp() { dir = Harness.temporaryDirectory("abi-desc") }

    /// The host's ABI minor (the header's CRYS_ABI_MINOR), so these checks follow appends.
    static let hostMinor = Int(HostInfo.abi.split(separator: ".")[1])!

    /// Compiles `source`, inspects it, and checks the refusal names the file and each of `expected`.
    @discardableResult
    func expectRefused(_ source: String, name: String, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) -> HostRun {
        let lib = Harness.compileC(source, name: name, in: dir, file: file, line: line)
        let r = Harness.run(["inspect", lib], in: dir)
        XCTAssertNotEqual(r.status, 0, r.output, file: file, line: line)
        XCTAssertTrue(r.stderr.contains("plugin \(lib):"), "message does not name the file: \(r.output)", file: file, line: line)
        for e in expected {
            XCTAssertTrue(r.stderr.contains(e), "expected '\(e)' in: \(r.output)", file: file, line: line)
        }
        XCTAssertFalse(r.stdout.contains("pass"), "a refused plugin's exports were listed: \(r.output)", file: file, line: line)
        return r
    }

    func testTheTemplateItselfLoads() {
        // Guards every refusal below: only the one changed field makes them fail.
        let lib = Harness.compileC(AbiFixtures.descriptor(), name: "Good", in: dir)
        let r = Harness.run(["inspect", lib], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("Broken 0.1 — ABI \(HostInfo.abi)"), r.output)
        XCTAssertTrue(r.stdout.contains("gain: f64 = 1.0 — A gain"), r.output)
    }

    func testMajorMismatchNamesFileAndBothVersions() {
        let source = AbiFixtures.descriptor(major: "2", minor: "3")
        expectRefused(source, name: "Major", ["ABI 2.3", "this host speaks ABI \(HostInfo.abi)", "major versions must match"])
        // The same refusal when the plugin is loaded for a run, before the config is even read.
        let lib = "\(dir)/libMajor.so"
        Harness.write("\(dir)/experiments/x/config.yaml", "name: x\ndatasource: pass\nsteps: [pass]\n")
        let r = Harness.run(["--plugin", lib, "run", "experiments/x"], in: dir)
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains(lib) && r.stderr.contains("ABI 2.3") && r.stderr.contains("ABI \(HostInfo.abi)"), r.output)
    }

    func testPluginMinorNewerThanHostIsRefused() {
        expectRefused(AbiFixtures.descriptor(minor: "CRYS_ABI_MINOR + 1"), name: "Minor", ["needs crystallize ABI 1.\(Self.hostMinor + 1)", "newer than this host's \(HostInfo.abi)"])
    }

    func testWrongPointerSizeIsRefusedWithBothValues() {
        expectRefused(AbiFixtures.descriptor(pointerSize: "4"), name: "Pointer", ["pointer size 4, host 8"])
    }

    func testNullAndInvalidPluginNamesAreRefused() {
        expectRefused(AbiFixtures.descriptor(name: "NULL"), name: "NullName", ["null or empty plugin name"])
        expectRefused(AbiFixtures.descriptor(name: #""""#), name: "EmptyName", ["null or empty plugin name"])
        // A dot would make "Plugin.export" ambiguous.
        expectRefused(AbiFixtures.descriptor(name: #""my.plugin""#), name: "DotName", ["plugin name 'my.plugin' is not a valid name"])
    }

    func testExportWithNullNameIsRefused() {
        let exports = #"{ .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = NULL, .call = pass }"#
        expectRefused(AbiFixtures.descriptor(exports: exports), name: "NullExport", ["export #0 has a null name"])
    }

    func testDuplicateParameterIsRefused() {
        let params = #"{ sizeof(crys_param), CRYS_T_F64, "gain", "1.0", NULL }, { sizeof(crys_param), CRYS_T_I64, "gain", NULL, NULL }"#
        let exports = #"{ .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "pass", .params = params, .param_count = 2, .call = pass }"#
        expectRefused(AbiFixtures.descriptor(params: params, exports: exports), name: "DupParam", ["export 'pass' declares parameter 'gain' twice"])
    }

    func testParameterWithNullNameOrUnknownTypeIsRefused() {
        expectRefused(AbiFixtures.descriptor(params: #"{ sizeof(crys_param), CRYS_T_F64, NULL, NULL, NULL }"#), name: "NullParam",
                      ["export 'pass' parameter #0 has a null name"])
        expectRefused(AbiFixtures.descriptor(params: #"{ sizeof(crys_param), 42, "gain", NULL, NULL }"#), name: "ParamType",
                      ["parameter 'gain' has unknown type 42"])
    }

    func testDuplicateExportNameIsRefused() {
        let one = #"{ .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "pass", .call = pass }"#
        let ds = #"{ .size = sizeof(crys_export), .kind = CRYS_KIND_DATASOURCE, .name = "pass", .call = pass }"#
        expectRefused(AbiFixtures.descriptor(exports: one + ", " + ds), name: "DupExport", ["exports 'pass' twice"])
    }

    func testUnknownKindIsRefused() {
        let e = #"{ .size = sizeof(crys_export), .kind = 99, .name = "pass", .call = pass }"#
        expectRefused(AbiFixtures.descriptor(exports: e), name: "Kind", ["export 'pass' has unknown kind 99"])
    }

    func testExportsWithoutTheirFunctionAreRefused() {
        let cases: [(String, String)] = [
            (#"{ .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "pass" }"#, "step 'pass' has no call or typed function"),
            (#"{ .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "pass", .flags = CRYS_F_ASYNC, .call = pass }"#,
             "step 'pass' has no call_async (it is flagged ASYNC) function"),
            (#"{ .size = sizeof(crys_export), .kind = CRYS_KIND_VERIFIER, .name = "pass" }"#, "verifier 'pass' has no verify function"),
            (#"{ .size = sizeof(crys_export), .kind = CRYS_KIND_STRATEGY, .name = "pass" }"#, "strategy 'pass' has no run_loop function"),
            (#"{ .size = sizeof(crys_export), .kind = CRYS_KIND_HOOK, .name = "pass" }"#, "hook 'pass' has no hook function"),
            (#"{ .size = sizeof(crys_export), .kind = CRYS_KIND_ARTIFACT_CODEC, .name = "pass" }"#, "codec 'pass' has no encode or decode function"),
        ]
        for (i, (e, message)) in cases.enumerated() {
            expectRefused(AbiFixtures.descriptor(exports: e), name: "NoFn\(i)", [message])
        }
    }

    func testInvalidOrMistypedDefaultIsRefused() {
        expectRefused(AbiFixtures.descriptor(params: #"{ sizeof(crys_param), CRYS_T_F64, "gain", "1.0.0", NULL }"#), name: "BadJSON",
                      ["export 'pass' parameter 'gain' has an invalid default"])
        expectRefused(AbiFixtures.descriptor(params: #"{ sizeof(crys_param), CRYS_T_I64, "gain", "\"ten\"", NULL }"#), name: "BadDefault",
                      ["export 'pass' parameter 'gain' is i64 but its default is string"])
    }

    func testTypedExportWithUnsupportedTypesIsRefused() {
        let extra = "static double twice(double x) { return 2 * x; }"
        let typed = #"{ .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "twice", .params = params, .param_count = 1, .typed = (crys_any_fn)(void (*)(void))twice, .typed_return = %@ }"#
        expectRefused(AbiFixtures.descriptor(exports: String(format: typed, "CRYS_T_STRING"), extra: extra), name: "TypedRet",
                      ["typed export 'twice' returns type 4"])
        expectRefused(AbiFixtures.descriptor(params: #"{ sizeof(crys_param), CRYS_T_MAP, "gain", NULL, NULL }"#,
                                             exports: String(format: typed, "CRYS_T_F64"), extra: extra), name: "TypedParam",
                      ["typed export 'twice' parameter 'gain' has type map"])
    }

    /// A plugin from a future minor: its structs grew by `tail` (C initializers of the appended
    /// members, e.g. "{ 0 }" or "{ (void *)1 }").
    func futurePlugin(pluginTail: String = "{ 0 }", exportTail: String = "0", paramTail: String = "0") -> String {
        """
        #include "crystallize.h"
        static crys_status pass(crys_ctx *c, crys_value *d, crys_value **o, void *u) { (void)c; (void)u; *o = d; return CRYS_OK; }
        struct bigger_param { crys_param p; void *appended; };
        static const struct bigger_param params[] = { { .p = { sizeof(struct bigger_param), CRYS_T_F64, "gain", "1.0", NULL }, .appended = (void *)(\(paramTail)) } };
        struct bigger_export { crys_export e; void *appended; };
        static const struct bigger_export exports[] = { { .e = { .size = sizeof(struct bigger_export), .kind = CRYS_KIND_STEP, .name = "pass",
            .params = &params[0].p, .param_count = 1, .call = pass }, .appended = (void *)(\(exportTail)) } };
        struct bigger { crys_plugin p; void *appended[2]; };
        static const struct bigger d = { .p = { .size = sizeof(struct bigger), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 1,
            .pointer_size = sizeof(void *), .name = "Future", .exports = &exports[0].e, .export_count = 1 }, .appended = \(pluginTail) };
        CRYS_DEFINE_ENTRY(host) { (void)host; return &d.p; }
        """
    }

    func testLargerStructsWhoseUnknownBytesAreZeroLoad() {
        // Rebuilt against a newer header but using nothing new: the appended members are zero.
        let lib = Harness.compileC(futurePlugin(), name: "Future", in: dir)
        let r = Harness.run(["inspect", lib], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("Future  — ABI 1.1") || r.stdout.contains("Future — ABI 1.1") || r.stdout.contains("— ABI 1.1"), r.output)
        XCTAssertTrue(r.stdout.contains("  pass — ") || r.stdout.contains("  pass\n"), r.output)
        XCTAssertTrue(r.stdout.contains("gain: f64 = 1.0"), r.output)
    }

    func testLargerStructsUsingUnknownMembersAreRefused() {
        expectRefused(futurePlugin(pluginTail: "{ (void *)1, 0 }"), name: "BigPlugin", ["descriptor size 96 bytes sets byte 80, beyond the 80 this host knows"])
        expectRefused(futurePlugin(exportTail: "(void *)1"), name: "BigExport", ["export #0 (size 160) sets byte 152, beyond the 152 bytes of crys_export"])
        expectRefused(futurePlugin(paramTail: "(void *)1"), name: "BigParam", ["export 'pass' parameter #0 (size 40) sets byte 32, beyond the 32 bytes of crys_param"])
        // A stride that cannot be a struct of pointers is refused outright.
        let params = #"{ sizeof(crys_param) + 4, CRYS_T_F64, "gain", NULL, NULL }, { 0 }"#
        expectRefused(AbiFixtures.descriptor(params: params), name: "OddParam", ["export 'pass' parameter entries declare size 36"])
    }

    func testOlderSmallerStructsAreAcceptedAndZeroExtended() throws {
        // A plugin built before `call_async` and everything after it, and before crys_param.doc,
        // existed: strided by its own sizes, its missing fields read as zero, and it runs.
        let source = #"""
        #include "crystallize.h"
        static const crys_host *H;
        struct old_param { uint32_t size; crys_type type; const char *name; const char *default_json; };
        struct old_export { uint32_t size; crys_kind kind; const char *name; const char *doc; const void *params;
                            uint32_t param_count; uint32_t flags; void *user; crys_step_fn call; };
        static crys_status one(crys_ctx *c, crys_value *d, crys_value **o, void *u) {
            (void)d; (void)u; *o = H->make_f64(c, H->get_f64(H->param(c, "value"))); return CRYS_OK;
        }
        static crys_status rec(crys_ctx *c, crys_value *d, crys_value **o, void *u) {
            (void)u; H->record_metric(c, "old", H->make_f64(c, H->get_f64(d)), NULL, 0); *o = d; return CRYS_OK;
        }
        static const struct old_param ps[] = { { sizeof(struct old_param), CRYS_T_F64, "value", "2.5" } };
        static const struct old_export es[] = {
            { sizeof(struct old_export), CRYS_KIND_DATASOURCE, "old_one", "an old datasource", ps, 1, 0, NULL, one },
            { sizeof(struct old_export), CRYS_KIND_STEP, "old_rec", NULL, NULL, 0, 0, NULL, rec },
        };
        static const crys_plugin d = { .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 0,
            .pointer_size = sizeof(void *), .name = "Old", .exports = (const crys_export *)es, .export_count = 2 };
        CRYS_DEFINE_ENTRY(host) { H = host; return &d; }
        """#
        let lib = Harness.compileC(source, name: "Old", in: dir)
        let i = Harness.run(["inspect", lib], in: dir)
        XCTAssertEqual(i.status, 0, i.output)
        XCTAssertTrue(i.stdout.contains("old_one — an old datasource"), i.output)
        XCTAssertTrue(i.stdout.contains("value: f64 = 2.5\n"), i.output)
        Harness.write("\(dir)/experiments/old/config.yaml", "name: old\nreplicates: 2\ndatasource: old_one\nsteps: [old_rec]\n")
        let r = Harness.run(["--plugin", lib, "run", "experiments/old"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let results = Harness.json("\(dir)/data/old/v0/baseline/results.json") as? [String: Any]
        XCTAssertEqual((results?["metrics"] as? [String: Any])?["old"] as? [Double], [2.5, 2.5])
    }

    func testInspectRunsNoPluginCodeBeyondTheEntryPoint() {
        // setup, teardown and the step itself would each leave a marker file.
        let marker = "\(dir)/ran"
        let extra = """
        static void touch(void) { FILE *f = fopen("\(marker)", "w"); if (f) fclose(f); }
        static crys_status life(crys_ctx *c, void *u) { (void)c; (void)u; touch(); return CRYS_OK; }
        static crys_status step(crys_ctx *c, crys_value *d, crys_value **o, void *u) { (void)c; (void)u; touch(); *o = d; return CRYS_OK; }
        """
        let e = #"{ .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "pass", .params = params, .param_count = 1, .call = step, .setup = life, .teardown = life }"#
        let lib = Harness.compileC(AbiFixtures.descriptor(exports: e, extra: extra), name: "Quiet", in: dir)
        let r = Harness.run(["inspect", lib], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "inspect ran plugin code")
    }
}
