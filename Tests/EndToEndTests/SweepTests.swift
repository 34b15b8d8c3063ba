import Foundation
import XCTest

/// Sweeps: treatments generated from `sweep:` (grid, zip, random) and `--sweep`, run by the
/// real host with the optimizer test plugin's quadratic step, which records the `x` it saw.
final class SweepTests: XCTestCase {
    static let head = """
        replicates: 2
        seed: 4
        datasource: quad_origin
        steps: [noisy_quadratic]

        """

    func fixture(_ label: String) -> ExperimentFixture { ExperimentFixture(label) }
    var quad: [String] { ["--plugin", Harness.plugin("OptimizeTestPlugin")] }

    func testGridZipAndRandomTreatmentsRunWithReadableNamesAndAreStoredInMetadata() throws {
        let f = fixture("sweep-grid")
        f.experiment("sw", "name: sw\n" + Self.head + """
            treatments:
              written: {x: 0.25}
            sweep:
              grid: {x: [0, 0.5], noise: [0, 1]}
              zip: {y: [-0.2, 0.1], delay_ms: [0, 1]}
              random: {n: 3, seed: 3, params: {x: {uniform: [-1, 1]}, noise: {choice: [0, 2]}}}
            """)
        let r = f.run("experiments/sw", extraPlugins: [Harness.plugin("OptimizeTestPlugin")])
        XCTAssertEqual(r.status, 0, r.output)
        let meta = f.object("\(f.version("sw"))/metadata.json")
        let conditions = try XCTUnwrap(meta["conditions"] as? [String])
        // Written first, then grid x zip (first grid key slowest, zipped tuples innermost), then random.
        XCTAssertEqual(Array(conditions.prefix(10)), ["baseline", "written",
            "x=0,noise=0,y=-0.2,delay_ms=0", "x=0,noise=0,y=0.1,delay_ms=1",
            "x=0,noise=1,y=-0.2,delay_ms=0", "x=0,noise=1,y=0.1,delay_ms=1",
            "x=0.5,noise=0,y=-0.2,delay_ms=0", "x=0.5,noise=0,y=0.1,delay_ms=1",
            "x=0.5,noise=1,y=-0.2,delay_ms=0", "x=0.5,noise=1,y=0.1,delay_ms=1"])
        XCTAssertEqual(conditions.count, 13, "\(conditions)")
        let treatments = try XCTUnwrap(meta["treatments"] as? [String: [String: Any]])
        XCTAssertEqual(treatments["x=0.5,noise=0,y=0.1,delay_ms=1"]?["y"] as? Double, 0.1)
        XCTAssertEqual(treatments["x=0.5,noise=0,y=0.1,delay_ms=1"]?["delay_ms"] as? Int, 1)
        // The generated values reach the step: x_seen is the treatment's x, and without noise
        // the loss is the quadratic's exact value.
        XCTAssertEqual(f.metric("sw", "x=0.5,noise=0,y=-0.2,delay_ms=0", "x_seen"), [0.5, 0.5])
        XCTAssertEqual(try XCTUnwrap(f.metric("sw", "x=0.5,noise=0,y=-0.2,delay_ms=0", "loss")).map { ($0 * 1e9).rounded() / 1e9 }, [0.04, 0.04])
        XCTAssertEqual(f.metric("sw", "written", "x_seen"), [0.25, 0.25])
        for random in conditions.suffix(3) {
            XCTAssertTrue(random.hasPrefix("x=") && random.contains(",noise="), random)
            let x = try XCTUnwrap(treatments[random]?["x"] as? Double)
            XCTAssertTrue((-1..<1).contains(x))
            XCTAssertEqual(f.metric("sw", random, "x_seen"), [x, x])
            XCTAssertTrue([0, 2].contains(try XCTUnwrap(treatments[random]?["noise"] as? Int)), "\(treatments[random]!)")
        }
    }

    func testDryRunAndGraphListGeneratedTreatmentsAndWriteNothing() {
        let f = fixture("sweep-dry")
        f.experiment("sw", "name: sw\n" + Self.head + "sweep:\n  grid: {x: [1, 2], y: [0.5]}\n  random: {n: 2, seed: 9, params: {noise: {loguniform: [0.01, 1]}}}\n")
        let dry = f.host(["run", "experiments/sw", "--dry-run", "--sweep", "noise=0,3"], extraPlugins: [Harness.plugin("OptimizeTestPlugin")])
        XCTAssertEqual(dry.status, 0, dry.output)
        for name in ["x=1,y=0.5,noise=0", "x=1,y=0.5,noise=3", "x=2,y=0.5,noise=0", "x=2,y=0.5,noise=3"] {
            XCTAssertTrue(dry.stdout.contains("  \(name)  "), "\(name) missing:\n\(dry.stdout)")
        }
        XCTAssertTrue(dry.stdout.contains("7 condition(s)"), dry.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data"), "a dry run wrote data/")
        // Random draws are fixed by the sweep's seed: the same names twice, other names with another seed.
        let again = f.host(["run", "experiments/sw", "--dry-run", "--sweep", "noise=0,3"], extraPlugins: [Harness.plugin("OptimizeTestPlugin")])
        XCTAssertEqual(again.stdout, dry.stdout)
        let graph = f.host(["graph", "experiments/sw", "--sweep", "noise=0,3"], extraPlugins: [Harness.plugin("OptimizeTestPlugin")])
        XCTAssertEqual(graph.status, 0, graph.output)
        XCTAssertTrue(graph.stdout.contains("baseline, x=1,y=0.5,noise=0, x=1,y=0.5,noise=3, x=2,y=0.5,noise=0"), graph.stdout)
    }

    func testCommandLineSweepReplacesAConfigAxisAndTreatmentFilterPicksGenerated() throws {
        let f = fixture("sweep-cli")
        f.experiment("sw", "name: sw\n" + Self.head + "sweep:\n  grid: {x: [1, 2, 3]}\n")
        let r = f.run("experiments/sw", ["--sweep", "x=0.3,0.6", "--sweep", "y=-0.2", "--treatment", "x=0.6,y=-0.2"], extraPlugins: [Harness.plugin("OptimizeTestPlugin")])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(f.object("\(f.version("sw"))/metadata.json")["conditions"] as? [String], ["baseline", "x=0.6,y=-0.2"])
        XCTAssertEqual(f.metric("sw", "x=0.6,y=-0.2", "x_seen"), [0.6, 0.6])
    }

    func testMillionTreatmentGridIsRefusedWithItsSizeBeforeAnythingRuns() {
        let f = fixture("sweep-limit")
        let values = "[" + (0..<1000).map(String.init).joined(separator: ", ") + "]"
        f.experiment("big", "name: big\n" + Self.head + "sweep:\n  grid:\n    x: \(values)\n    y: \(values)\n")
        let r = f.run("experiments/big", extraPlugins: [Harness.plugin("OptimizeTestPlugin")])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("config.yaml:7: sweep: the sweep would generate 1000000 treatments (x: 1000 × y: 1000), above the limit of 10000"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data"))
        // From the command line too, with no line to name.
        f.experiment("cli", "name: cli\n" + Self.head)
        let cli = f.run("experiments/cli", ["--sweep", "x=" + (0..<200).map(String.init).joined(separator: ","), "--sweep", "y=" + (0..<200).map(String.init).joined(separator: ",")],
                        extraPlugins: [Harness.plugin("OptimizeTestPlugin")])
        XCTAssertEqual(cli.status, 2, cli.output)
        XCTAssertTrue(cli.stderr.contains("--sweep: the sweep would generate 40000 treatments"), cli.stderr)
    }

    /// Each broken sweep: the line named and the words of the message.
    func testBadSweepConfigsNameFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("sweep:\n  grid: {x: [1]}\n  grdi: {y: [1]}\n", 8, "unknown key 'grdi'; allowed here: grid, zip, random, max_treatments"),
            ("sweep:\n  zip:\n    x: [1, 2]\n    y: [1]\n", 8, "zip lists must have the same length: 'x' has 2, 'y' has 1"),
            ("sweep:\n  random: {n: 2, params: {x: {unifrom: [0, 1]}}}\n", 7, "unknown distribution 'unifrom' for parameter 'x'"),
            ("sweep:\n  random:\n    n: 2\n    params:\n      x: {loguniform: [0, 1]}\n", 10, "loguniform range of 'x' needs 0 < low < high"),
            ("sweep:\n  random: {params: {x: [1, 2]}}\n", 7, "random needs n"),
            ("sweep:\n  grid:\n    replicate: [1, 2]\n", 8, "'replicate' is set by the host itself"),
            ("sweep:\n  grid:\n    x: [1]\n    mode: [a/b]\n", 9, "value 'a/b' of 'mode' cannot be part of a treatment name"),
            ("sweep:\n  grid:\n    x: [fast, slow]\n", 7, "sets 'x' to string, but parameter 'x' of step 'noisy_quadratic' must be f64"),
            ("sweep:\n  grid: {x: {uniform: [0, 1]}}\n", 7, "grid parameter 'x' needs a finite list of values"),
        ]
        let f = fixture("sweep-bad")
        for (i, (yaml, line, needle)) in cases.enumerated() {
            f.experiment("bad\(i)", "name: bad\(i)\n" + Self.head + yaml)
            let r = f.run("experiments/bad\(i)", extraPlugins: [Harness.plugin("OptimizeTestPlugin")])
            XCTAssertEqual(r.status, 2, "case \(i): \(r.output)")
            XCTAssertTrue(r.stderr.contains("experiments/bad\(i)/config.yaml:\(line):"), "case \(i) should name line \(line): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(needle), "case \(i): \(r.stderr)")
            XCTAssertTrue(r.stdout.isEmpty, "case \(i): \(r.stdout)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data"))
        f.experiment("cli", "name: cli\n" + Self.head)
        for (arg, needle) in [("x", "'x' is not key=v1,v2,..."), ("seed_used=1,2", "'seed_used' is set by the host itself"), ("x=1,,2", "has an empty value")] {
            let r = f.run("experiments/cli", ["--sweep", arg], extraPlugins: [Harness.plugin("OptimizeTestPlugin")])
            XCTAssertEqual(r.status, 2, r.output)
            XCTAssertTrue(r.stderr.contains("--sweep: ") && r.stderr.contains(needle), r.stderr)
        }
    }
}
