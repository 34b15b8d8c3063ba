import XCTest

/// `--set KEY=VALUE`, the toggle state file a plain `run` applies, and `--plugin` resolution.
final class OverrideTests: XCTestCase {
    static let demo = """
    name: demo
    replicates: 3
    seed: 42
    datasource: numbers
    steps:
      - add_delta
      - record_metric
    treatments:
      add_ten:
        delta: 10
    hypotheses:
      - name: total_increases
        verifier: welch_t_test
        metrics: total
    """

    func testSetTypesParametersRecordsThemAndMakesResumeRunAgain() {
        let f = ExperimentFixture("set")
        let exp = f.experiment("demo", Self.demo)
        XCTAssertEqual(f.run(exp).status, 0)
        let before = f.object("\(f.version("demo"))/metadata.json")["pipeline_signature"] as? String
        let r = f.host(["run", exp, "--strategy", "resume", "--set", "add_delta.delta=3", "--set", "numbers.count=4", "--set", "seed=7"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("resume re-ran because the pipeline signature changed"), r.output)
        XCTAssertTrue(r.stdout.contains("set: add_delta.delta=3, numbers.count=4, seed=7"), r.output)
        let meta = f.object("\(f.version("demo"))/metadata.json")
        XCTAssertNotEqual(meta["pipeline_signature"] as? String, before)
        XCTAssertEqual(meta["seed"] as? Int, 7)
        let prov = f.object("\(f.version("demo"))/provenance.json")
        XCTAssertEqual((prov["overrides"] as? [String: Any])?["set"] as? [String], ["add_delta.delta=3", "numbers.count=4", "seed=7"])
        let pipeline = prov["pipeline"] as? [[String: Any]] ?? []
        let addDelta = pipeline.first { $0["name"] as? String == "add_delta" }?["params"] as? [String: Any]
        XCTAssertEqual(addDelta?["delta"] as? Double, 3.0, "an f64 parameter set to 3 is typed as f64")
        let numbers = pipeline.first { $0["name"] as? String == "numbers" }?["params"] as? [String: Any]
        XCTAssertEqual(numbers?["count"] as? Int, 4)
        // The same settings again: nothing changed, so resume loads the run.
        let again = f.host(["run", exp, "--strategy", "resume", "--set", "add_delta.delta=3", "--set", "numbers.count=4", "--set", "seed=7"])
        XCTAssertTrue(again.stdout.contains("loaded from disk"), again.output)
    }

    func testSetReplicatesAndATreatmentValue() {
        let f = ExperimentFixture("set-treatment")
        let exp = f.experiment("demo", Self.demo)
        let r = f.run(exp, ["--set", "replicates=2", "--set", "treatments.add_ten.delta=0.5", "--set", "numbers.noise=0"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(f.metric("demo", "baseline", "total"), [6, 6], "1 + 2 + 3 without noise")
        XCTAssertEqual(f.metric("demo", "add_ten", "total"), [7.5, 7.5], "three numbers, each plus 0.5")
        let treatments = f.object("\(f.version("demo"))/metadata.json")["treatments"] as? [String: Any]
        XCTAssertEqual((treatments?["add_ten"] as? [String: Any])?["delta"] as? Double, 0.5)
    }

    func testBadSettingsNameTheKeyAndListWhatExists() {
        let f = ExperimentFixture("set-errors")
        let exp = f.experiment("demo", Self.demo)
        let cases: [(String, [String])] = [
            ("add_delta.dlta=3", ["'add_delta' has no parameter 'dlta'", "delta (f64)"]),
            ("add_delta.delta=abc", ["parameter 'delta' of 'add_delta' must be f64, got 'abc'"]),
            ("numbers.count=2.5", ["must be i64"]),
            ("nope.x=1", ["no step or datasource named 'nope'", "numbers (datasource), add_delta, record_metric"]),
            ("treatments.bogus.delta=1", ["no treatment named 'bogus'", "baseline, add_ten"]),
            ("treatments.add_ten.colour=1", ["treatment 'add_ten' has no key 'colour'", "delta"]),
            ("replicates=0", ["replicates must be an integer of at least 1"]),
            ("justtext", ["expected KEY=VALUE"]),
            ("a.b.c=1", ["unknown key 'a.b.c'"]),
        ]
        for (setting, expected) in cases {
            let r = f.run(exp, ["--set", setting])
            XCTAssertEqual(r.status, 2, "\(setting): \(r.output)")
            for e in expected { XCTAssertTrue(r.stderr.contains(e), "\(setting): expected '\(e)' in \(r.stderr)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data"), "a bad --set writes nothing")
    }

    func testTogglesBesideConfigApplyToPlainRunsUntilReset() {
        let f = ExperimentFixture("toggles")
        let exp = f.experiment("demo", Self.demo)
        let state = "\(f.dir)/\(exp)/.crystallize-toggles.json"
        Harness.write(state, #"{"disabledTreatments": ["add_ten"], "uncachedSteps": ["add_delta"]}"#)
        let r = f.host(["run", exp, "-q"])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("toggles: treatment add_ten off; cache of add_delta off"), r.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.version("demo"))/add_ten"), "a toggled-off treatment does not run")
        let prov = f.object("\(f.version("demo"))/provenance.json")
        let toggles = (prov["overrides"] as? [String: Any])?["toggles"] as? [String: Any]
        XCTAssertEqual(toggles?["disabled_treatments"] as? [String], ["add_ten"])
        XCTAssertEqual(toggles?["uncached_steps"] as? [String], ["add_delta"])
        // Named explicitly, a toggled-off treatment runs.
        let named = f.host(["run", exp, "-q", "--treatment", "add_ten"])
        XCTAssertEqual(named.status, 0, named.output)
        XCTAssertEqual(f.metric("demo", "add_ten", "total")?.count, 3, named.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: state))
        let reset = f.host(["run", exp, "-q", "--reset-toggles"])
        XCTAssertEqual(reset.status, 0, reset.output)
        XCTAssertFalse(reset.stdout.contains("toggles:"), reset.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state), "--reset-toggles forgets them")
        XCTAssertEqual(f.metric("demo", "add_ten", "total")?.count, 3)
        Harness.write(state, "{ not json")
        let damaged = f.host(["run", exp, "-q"])
        XCTAssertEqual(damaged.status, 2, damaged.output)
        XCTAssertTrue(damaged.stderr.contains(".crystallize-toggles.json is not a valid toggle state file"), damaged.output)
    }

    func testPluginArgumentsResolveLikeTheCardWritesThem() throws {
        let dir = Harness.temporaryDirectory("plugin-path")
        Harness.write("\(dir)/experiments/demo/config.yaml", Self.demo)
        try FileManager.default.createDirectory(atPath: "\(dir)/.build/release", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Harness.plugin("MySteps"), toPath: "\(dir)/.build/release/libMySteps.so")
        let card = Harness.run(["--plugin", ".build/libMySteps.so", "run", "experiments/demo", "-q", "-j", "2"], in: dir)
        XCTAssertEqual(card.status, 0, card.output)
        XCTAssertTrue(card.stderr.contains("using the release build .build/release/libMySteps.so"), card.output)
        let byName = Harness.run(["--plugin", "MySteps", "run", "experiments/demo", "-q"], in: dir)
        XCTAssertEqual(byName.status, 0, byName.output)
        XCTAssertTrue(byName.stderr.contains("--plugin MySteps: using .build/release/libMySteps.so"), byName.output)
        let typo = Harness.run(["--plugin", "build/libMySteps.so", "run", "experiments/demo", "-q"], in: dir)
        XCTAssertEqual(typo.status, 2, typo.output)
        XCTAssertTrue(typo.stderr.contains("files of that name that exist: .build/release/libMySteps.so"), typo.output)
        let missing = Harness.run(["--plugin", ".build/libOther.so", "run", "experiments/demo"], in: dir)
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.stderr.contains("swift build --product Other"), missing.output)
        let help = Harness.run(["run", "--help"], in: dir)
        for flag in ["-q, --quiet", "-j, --workers", "--set <KEY=VALUE>", "--reset-toggles"] {
            XCTAssertTrue(help.stdout.contains(flag), "run --help lacks \(flag): \(help.stdout)")
        }
    }
}
