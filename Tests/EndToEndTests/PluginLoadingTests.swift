import Foundation
import XCTest

/// Finding and loading plugin files: bad files, `--plugin` anywhere on the command line,
/// `plugins:` in config.yaml with CRYSTALLIZE_PLUGIN_PATH, and name clashes between plugins.
final class PluginLoadingTests: XCTestCase {
    var dir = ""

    override func setUp() {
        dir = Harness.temporaryDirectory("loading")
        Harness.write("\(dir)/experiments/small/config.yaml", """
        name: small
        replicates: 2
        datasource: {c_range: {n: 3}}
        steps: [c_add]
        """)
    }

    /// The value of metric `metric` in condition `condition` of the latest run `exp`.
    func metric(_ exp: String, _ metric: String, condition: String = "baseline") -> [Double]? {
        let results = Harness.json("\(dir)/data/\(exp)/v0/\(condition)/results.json") as? [String: Any]
        return (results?["metrics"] as? [String: Any])?[metric] as? [Double]
    }

    func expectLoadError(_ path: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        for args in [["inspect", path], ["--plugin", path, "run", "experiments/small"]] {
            let r = Harness.run(args, in: dir)
            XCTAssertNotEqual(r.status, 0, "\(args): \(r.output)", file: file, line: line)
            XCTAssertTrue(r.stderr.contains("plugin \(path): \(expected)"), "\(args): \(r.output)", file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/data/small"), "a run started", file: file, line: line)
        }
    }

    // MARK: files that are not plugins

    func testMissingFile() {
        expectLoadError("\(dir)/libNothing.so", "no such file")
    }

    func testTextFileWithSharedLibraryName() {
        Harness.write("\(dir)/libText.so", "this is not a library\n")
        expectLoadError("\(dir)/libText.so", "is not a shared library (no ELF or Mach-O header)")
    }

    func testTruncatedSharedLibrary() throws {
        // An ELF header alone passes the magic check; dlopen must still refuse it, and say why.
        let real = try XCTUnwrap(FileManager.default.contents(atPath: Harness.plugin("CTestPlugin")))
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(dir)/libTorn.so", contents: real.prefix(200)))
        expectLoadError("\(dir)/libTorn.so", "is not a loadable shared library: ")
    }

    func testDirectory() {
        try? FileManager.default.createDirectory(atPath: "\(dir)/libDir.so", withIntermediateDirectories: true)
        expectLoadError("\(dir)/libDir.so", "is a directory, not a shared library")
    }

    func testSharedLibraryWithoutEntrySymbol() {
        let lib = Harness.compileC("int not_a_plugin(int x) { return x + 1; }\n", name: "NoEntry", in: dir)
        expectLoadError(lib, "has no entry symbol 'crystallize_plugin_entry'")
    }

    func testEntryReturningNull() {
        let lib = Harness.compileC("#include \"crystallize.h\"\nCRYS_DEFINE_ENTRY(host) { (void)host; return 0; }\n", name: "NullEntry", in: dir)
        expectLoadError(lib, "its entry point returned no descriptor")
    }

    // MARK: --plugin placement

    func testPluginOptionBeforeAndAfterTheSubcommand() {
        let c = Harness.plugin("CTestPlugin")
        let forms: [[String]] = [["--plugin", c, "run", "experiments/small"], ["run", "experiments/small", "--plugin", c],
                                 ["run", "--plugin=\(c)", "experiments/small"]]
        for (i, args) in forms.enumerated() {
            let r = Harness.run(args + ["--data-dir", "d\(i)", "--quiet"], in: dir)
            XCTAssertEqual(r.status, 0, "\(args): \(r.output)")
            let results = Harness.json("\(dir)/d\(i)/small/v0/baseline/results.json") as? [String: Any]
            // c_range(3) + 1.0 each = 1 + 2 + 3.
            XCTAssertEqual((results?["metrics"] as? [String: Any])?["c_sum"] as? [Double], [6, 6], "\(args)")
        }
        let after = Harness.run(["inspect", "--plugin", c], in: dir)
        XCTAssertEqual(after.status, 0, after.output)
        XCTAssertTrue(after.stdout.contains("CTestPlugin 1.0.0"), after.output)
        let dangling = Harness.run(["run", "experiments/small", "--plugin"], in: dir)
        XCTAssertNotEqual(dangling.status, 0)
        XCTAssertTrue(dangling.stderr.contains("--plugin needs a path"), dangling.output)
    }

    func testSamePluginGivenTwiceIsLoadedOnce() {
        let c = Harness.plugin("CTestPlugin")
        let r = Harness.run(["--plugin", c, "run", "experiments/small", "--plugin", c, "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
    }

    // MARK: plugins: in config.yaml

    func testConfigPluginsFoundThroughPluginPath() {
        Harness.write("\(dir)/experiments/listed/config.yaml", """
        name: listed
        plugins: [MySteps, CTestPlugin]
        replicates: 2
        datasource: {numbers: {count: 3, noise: 0.0}}
        steps: [c_add, record_metric]
        """)
        // Tests may run from any scratch path: the env var points at the products folder, and
        // a search path list may hold folders that do not exist.
        let env = ["CRYSTALLIZE_PLUGIN_PATH": "\(dir)/nowhere:" + Harness.productsDirectory.path]
        let r = Harness.run(["run", "experiments/listed", "--quiet"], in: dir, environment: env)
        XCTAssertEqual(r.status, 0, r.output)
        // 1, 2, 3 plus c_add's 1.0 each.
        XCTAssertEqual(metric("listed", "total"), [9, 9])
    }

    func testConfigPluginByRelativePath() {
        let lib = Harness.compileC(AbiFixtures.probe, name: "Probe", in: "\(dir)/experiments/rel/lib")
        XCTAssertTrue(FileManager.default.fileExists(atPath: lib))
        Harness.write("\(dir)/experiments/rel/config.yaml", """
        name: rel
        plugins: [lib/libProbe.so]
        datasource: {probe_strlen: {label: "hello"}}
        steps: [{probe_record: {metric: len}}]
        """)
        let r = Harness.run(["run", "experiments/rel", "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(metric("rel", "len"), [5])
    }

    func testConfigPluginNotFoundSaysWhereItLooked() {
        Harness.write("\(dir)/experiments/lost/config.yaml", """
        name: lost
        plugins:
          - NoSuchPlugin
        datasource: c_range
        steps: [c_add]
        """)
        let r = Harness.run(["run", "experiments/lost"], in: dir, environment: ["CRYSTALLIZE_PLUGIN_PATH": "\(dir)/extra"])
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("experiments/lost/config.yaml:3"), r.output)
        XCTAssertTrue(r.stderr.contains("plugin 'NoSuchPlugin' not found"), r.output)
        for place in ["\(dir)/extra", "\(dir)/experiments/lost/.build/debug", "\(dir)/.build/release"] {
            XCTAssertTrue(r.stderr.contains(place), "the message does not list \(place): \(r.output)")
        }
        XCTAssertTrue(r.stderr.contains("swift build --product NoSuchPlugin"), r.output)
    }

    func testConfigPluginThatFailsToLoadNamesTheConfigLine() {
        Harness.write("\(dir)/experiments/badlib/libBad.so", "not a library")
        Harness.write("\(dir)/experiments/badlib/config.yaml", "name: badlib\nplugins: [libBad.so]\ndatasource: c_range\nsteps: [c_add]\n")
        let r = Harness.run(["run", "experiments/badlib"], in: dir)
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("config.yaml:2"), r.output)
        XCTAssertTrue(r.stderr.contains("libBad.so: is not a shared library"), r.output)
    }

    // MARK: two plugins, one name

    /// A second plugin, "Other", also exporting `c_add` (it adds 100 instead of 1).
    func otherPlugin(name: String = "Other") -> String {
        let source = """
        #include "crystallize.h"
        static const crys_host *H;
        static crys_status add(crys_ctx *c, crys_value *d, crys_value **o, void *u) {
            (void)u; size_t n = 0; double *x = H->f64_data(d, &n); double s = 0;
            for (size_t i = 0; i < n; i++) { x[i] += 100; s += x[i]; }
            H->record_metric(c, "other_sum", H->make_f64(c, s), NULL, 0);
            *o = d; return CRYS_OK;
        }
        static const crys_export es[] = { { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "c_add", .call = add } };
        static const crys_plugin d = { .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = CRYS_ABI_MINOR,
            .pointer_size = sizeof(void *), .name = "\(name)", .exports = es, .export_count = 1 };
        CRYS_DEFINE_ENTRY(host) { H = host; return &d; }
        """
        return Harness.compileC(source, name: name, in: dir)
    }

    func testClashingExportNeedsTheQualifiedName() {
        let both = ["--plugin", Harness.plugin("CTestPlugin"), "--plugin", otherPlugin()]
        let bare = Harness.run(both + ["run", "experiments/small"], in: dir)
        XCTAssertNotEqual(bare.status, 0, bare.output)
        XCTAssertTrue(bare.stderr.contains("step 'c_add' is exported by several plugins: 'CTestPlugin.c_add', 'Other.c_add'"), bare.output)
        XCTAssertTrue(bare.stderr.contains("experiments/small/config.yaml:4"), bare.output)

        Harness.write("\(dir)/experiments/qualified/config.yaml", """
        name: qualified
        datasource: {c_range: {n: 3}}
        steps:
          - CTestPlugin.c_add
          - {step: Other.c_add}
        """)
        let r = Harness.run(both + ["run", "experiments/qualified", "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        // [0,1,2] +1 -> sum 6, then +100 -> 306: each qualified name reached its own plugin.
        XCTAssertEqual(metric("qualified", "c_sum"), [6])
        XCTAssertEqual(metric("qualified", "other_sum"), [306])
        // Steps keep their bare names in results; the clash only affects lookup.
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/data/qualified/v0/replicate_0/baseline/c_add/sum.txt"))
    }

    func testUnknownQualifiedNameListsKnownSteps() {
        Harness.write("\(dir)/experiments/typo/config.yaml", "name: typo\ndatasource: c_range\nsteps: [CTestPlugin.c_addd]\n")
        let t = Harness.run(["--plugin", Harness.plugin("CTestPlugin"), "run", "experiments/typo"], in: dir)
        XCTAssertNotEqual(t.status, 0, t.output)
        XCTAssertTrue(t.stderr.contains("unknown step 'CTestPlugin.c_addd'") && t.stderr.contains("c_add, c_scale"), t.output)
    }

    func testTwoPluginsWithTheSamePluginNameAreRefused() {
        let first = otherPlugin(name: "Twin")
        let secondDir = "\(dir)/second"
        try? FileManager.default.createDirectory(atPath: secondDir, withIntermediateDirectories: true)
        let second = "\(secondDir)/libTwin.so"
        // A different file (a rebuilt copy) with the same descriptor name.
        let rebuilt = Harness.compileC(Harness.read("\(dir)/Twin.c") + "\nint rebuilt = 1;\n", name: "Twin", in: secondDir)
        XCTAssertEqual(rebuilt, second)
        let r = Harness.run(["--plugin", first, "--plugin", second, "run", "experiments/small"], in: dir)
        XCTAssertNotEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("plugin \(second): is named 'Twin', like the already loaded \(first)"), r.output)
    }
}
