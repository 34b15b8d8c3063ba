import CrystallizeRuntime
import Foundation
import XCTest

/// Optimizers: trials run through the real host against the noisy quadratic step
/// (minimum 0 at x = 0.3, y = -0.2), their history in optimization.json, `show`, errors.
final class OptimizeTests: XCTestCase {
    var quad: String { Harness.plugin("OptimizeTestPlugin") }

    static func config(_ name: String, optimize: String, noise: Double = 0.1, delay: Int = 0, replicates: Int = 2) -> String {
        """
        name: \(name)
        replicates: \(replicates)
        seed: 11
        datasource: quad_origin
        steps:
          - noisy_quadratic: {noise: \(noise), delay_ms: \(delay)}
        hypotheses:
          - {name: lower_loss, verifier: welch_t_test, metrics: loss}
        optimize:
        \(optimize)
        """
    }

    static let halving = """
          optimizer: halving
          trials: 8
          replicates_per_trial: 2
          objective: {metric: loss, direction: minimize}
          params:
            x: {uniform: [-1, 1]}
            y: {uniform: [-1, 1]}
        """

    func record(_ f: ExperimentFixture, _ name: String) -> [String: Any] { f.object("\(f.version(name))/optimization.json") }
    func trials(_ doc: [String: Any]) -> [[String: Any]] { doc["trials"] as? [[String: Any]] ?? [] }

    func testHalvingGivesTheBetterHalfMoreReplicatesAndRecordsEveryTrial() throws {
        let f = ExperimentFixture("opt-halving")
        f.experiment("h", Self.config("h", optimize: Self.halving))
        let r = f.host(["run", "experiments/h"], extraPlugins: [quad])
        XCTAssertEqual(r.status, 0, r.output)
        let doc = record(f, "h")
        XCTAssertEqual(doc["status"] as? String, "complete")
        let history = trials(doc)
        // 8 candidates × 2 replicates, the best 4 to 4, the best 2 to 8.
        XCTAssertEqual(history.map { $0["replicates"] as? Int }, [2, 2, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 8, 8])
        let rounds = try XCTUnwrap(doc["rounds"] as? [[String: Any]])
        XCTAssertEqual(rounds.map { $0["replicates"] as? [Int] }, [[0, 2], [2, 4], [4, 8]], "later rounds run only the replicates a survivor lacks")
        XCTAssertEqual((doc["budget"] as? [String: Int])?["treatment_replicates"], 8 * 2 + 4 * 2 + 2 * 4)
        // The survivors of round 0 are its best four by objective.
        let first = history.prefix(8).sorted { ($0["objective"] as! Double) < ($1["objective"] as! Double) }
        XCTAssertEqual(Set(history[8..<12].map { $0["trial"] as! String }), Set(first.prefix(4).map { $0["trial"] as! String }))
        // An extended candidate is measured on replicates 0..<n once: its first values are round 0's.
        let last = history[12]
        let earlier = try XCTUnwrap(history.first { $0["trial"] as? String == last["trial"] as? String })
        XCTAssertEqual(Array((last["values"] as! [Double]).prefix(2)), earlier["values"] as? [Double])
        XCTAssertEqual((last["values"] as! [Double]).count, 8)
        let mean = (last["values"] as! [Double]).reduce(0, +) / 8
        XCTAssertEqual(last["objective"] as! Double, mean, accuracy: 1e-12)
        // The optimizer is told the hypothesis results against the baseline.
        let hyp = try XCTUnwrap((last["hypotheses"] as? [String: Any])?["lower_loss"] as? [String: Any])
        XCTAssertNotNil(hyp["p_value"] as? Double)
        // The best is the better of the final round, printed and shown.
        let best = try XCTUnwrap(doc["best"] as? [String: Any])
        let finalists = history.suffix(2)
        let winner = finalists.min { ($0["objective"] as! Double) < ($1["objective"] as! Double) }!
        XCTAssertEqual(best["trial"] as? String, winner["trial"] as? String)
        XCTAssertTrue(r.stdout.contains("best: \(best["trial"] as! String) "), r.stdout)
        let show = f.host(["show", "h"])
        XCTAssertEqual(show.status, 0, show.output)
        XCTAssertTrue(show.stdout.contains("optimization, status complete") && show.stdout.contains("best: \(best["trial"] as! String)"), show.stdout)
        XCTAssertEqual(show.stdout.components(separatedBy: "\n").filter { $0.contains("trial_0") && !$0.hasPrefix("best") }.count, 14, show.stdout)
        // Each trial run is an ordinary run on disk.
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(f.version("h"))/trials/round_002/h/v0/\(winner["trial"] as! String)/results.json"))
    }

    /// A round that extends its survivors runs replicates from..<to of one long run: steps see
    /// those indices (the context's `replicate`) and their seeds, not a restart at 0.
    func testALaterRoundsStepsSeeTheReplicateIndicesOfOneLongRun() throws {
        let f = ExperimentFixture("opt-halving-index")
        let config = Self.config("hi", optimize: Self.halving).replacingOccurrences(of: "  - noisy_quadratic: {noise: 0.1, delay_ms: 0}",
                                                                                   with: "  - noisy_quadratic: {noise: 0.1, delay_ms: 0}\n  - c_log: {message: at, level: 2}")
        XCTAssertTrue(config.contains("c_log"))
        f.experiment("hi", config)
        let r = f.host(["run", "experiments/hi"], extraPlugins: [quad])
        XCTAssertEqual(r.status, 0, r.output)
        func seen(_ round: String) -> Set<String> {
            Set(Harness.read("\(f.version("hi"))/trials/\(round)/hi/v0/steps.log").split(separator: "\n").compactMap { line in
                line.range(of: "at r").map { String(line[$0.upperBound...].prefix { $0.isNumber }) }
            })
        }
        XCTAssertEqual(seen("round_000"), ["0", "1"])
        XCTAssertEqual(seen("round_001"), ["2", "3"], "round 1 runs replicates 2..<4 of the long run")
        XCTAssertEqual(seen("round_002"), ["4", "5", "6", "7"])
        // Seeds are those of the long run too: round 1's replicate 0 is replicate 2, seed 11 + 2 * 31337.
        let outcomes = CheckpointJournal.read("\(f.version("hi"))/trials/round_001/hi/v0/replicates.journal").outcomes
        XCTAssertEqual(Set(outcomes.filter { $0.replicate == 0 }.map(\.seedUsed)), [UInt64(11 + 2 * 31337)], "\(outcomes.map(\.seedUsed))")
    }

    /// An optimization into a folder whose detached cluster run is not collected is refused,
    /// as a plain run is, and the detached version is left in place.
    func testAnOptimizationIntoAFolderWithADetachedRunIsRefused() throws {
        let f = ExperimentFixture("opt-detached")
        f.experiment("od", Self.config("od", optimize: Self.halving))
        let v0 = "\(f.dir)/data/od/v0"
        try FileManager.default.createDirectory(atPath: v0, withIntermediateDirectories: true)
        Harness.write("\(v0)/metadata.json", "{\"status\": \"detached\"}")
        let r = f.host(["run", "experiments/od"], extraPlugins: [quad])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("data/od/v0 is a detached cluster run not collected yet"), r.output)
        XCTAssertEqual(Harness.read("\(v0)/metadata.json"), "{\"status\": \"detached\"}")
    }

    func testGridFindsTheExactOptimumAndRandomKeepsItsBestOverBatches() throws {
        let f = ExperimentFixture("opt-grid")
        f.experiment("g", Self.config("g", optimize: """
              optimizer: grid
              replicates_per_trial: 1
              objective: {metric: loss, direction: minimize}
              params:
                x: [0, 0.3, 0.6]
                y: {uniform: [-0.6, 0.2], steps: 3}
            """, noise: 0))
        XCTAssertEqual(f.host(["run", "experiments/g"], extraPlugins: [quad]).status, 0)
        let grid = record(f, "g")
        XCTAssertEqual(trials(grid).count, 9)
        let best = try XCTUnwrap(grid["best"] as? [String: Any])
        XCTAssertEqual((best["params"] as? [String: Double])?["x"], 0.3)
        XCTAssertEqual(try XCTUnwrap((best["params"] as? [String: Double])?["y"]), -0.2, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(best["objective"] as? Double), 0, accuracy: 1e-12)

        f.experiment("r", Self.config("r", optimize: """
              optimizer: random
              trials: 5
              batch: 2
              replicates_per_trial: 2
              objective: {metric: loss, direction: maximize}
              params:
                x: {uniform: [-1, 1]}
                y: {choice: [-0.2, 0.5]}
            """))
        XCTAssertEqual(f.host(["run", "experiments/r"], extraPlugins: [quad]).status, 0)
        let random = record(f, "r")
        XCTAssertEqual((random["rounds"] as? [Any])?.count, 3, "5 trials in batches of 2")
        let ts = trials(random)
        XCTAssertEqual(ts.count, 5)
        let top = ts.max { ($0["objective"] as! Double) < ($1["objective"] as! Double) }!
        XCTAssertEqual((random["best"] as? [String: Any])?["trial"] as? String, top["trial"] as? String, "maximize picks the largest mean")
        for t in ts { XCTAssertTrue([-0.2, 0.5].contains((t["params"] as! [String: Double])["y"]!)) }
    }

    /// The same seed gives the same trials, objectives and best under every execution strategy.
    func testSameSeedSameTrialsAndBestUnderEveryExecutionStrategy() throws {
        var outcomes: [String: [[String: Any]]] = [:]
        var bests: [String: String] = [:]
        for execution in ["serial", "threads", "processes", "async"] {
            let f = ExperimentFixture("opt-\(execution)")
            f.experiment("h", Self.config("h", optimize: Self.halving))
            let r = f.host(["run", "experiments/h", "--quiet", "--execution", execution, "--workers", "2"], extraPlugins: [quad])
            XCTAssertEqual(r.status, 0, r.output)
            let doc = record(f, "h")
            outcomes[execution] = trials(doc).map { ["trial": $0["trial"]!, "params": $0["params"]!, "values": $0["values"]!] }
            bests[execution] = (doc["best"] as? [String: Any])?["trial"] as? String
        }
        let serial = try JSONSerialization.data(withJSONObject: outcomes["serial"]!, options: .sortedKeys)
        for (execution, o) in outcomes {
            XCTAssertEqual(try JSONSerialization.data(withJSONObject: o, options: .sortedKeys), serial, "\(execution) differs from serial")
            XCTAssertEqual(bests[execution], bests["serial"])
        }
        XCTAssertNotNil(bests["serial"] ?? nil)
    }

    /// SIGKILL part-way through, then `--strategy resume`: the trials already recorded are
    /// loaded, the rest run, and the history and best equal an uninterrupted run's.
    func testKilledOptimizationResumesFromFinishedTrialsToTheSameBest() throws {
        let optimize = """
              optimizer: halving
              trials: 16
              replicates_per_trial: 2
              objective: {metric: loss, direction: minimize}
              params:
                x: {uniform: [-1, 1]}
                y: {uniform: [-1, 1]}
            """
        let reference = ExperimentFixture("opt-ref")
        reference.experiment("k", Self.config("k", optimize: optimize))
        XCTAssertEqual(reference.host(["run", "experiments/k", "--quiet"], extraPlugins: [quad]).status, 0)
        let expected = record(reference, "k")

        let f = ExperimentFixture("opt-kill")
        f.experiment("k", Self.config("k", optimize: optimize, delay: 15))
        let p = Harness.start(f.plugins + ["--plugin", quad, "run", "experiments/k", "--quiet"], in: f.dir)
        let path = "\(f.version("k"))/optimization.json"
        let deadline = Date().addingTimeInterval(120)
        var recorded = 0
        while Date() < deadline {
            recorded = trials(Harness.hostJSONObject(Harness.read(path)) ?? [:]).count
            if recorded >= 16 || !p.isRunning { break }
            usleep(2000)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let atKill = Harness.hostJSONObject(Harness.read(path)) ?? [:]
        XCTAssertEqual(atKill["status"] as? String, "running", "the run must be killed part-way")
        XCTAssertGreaterThanOrEqual(trials(atKill).count, 16)
        XCTAssertLessThan(trials(atKill).count, trials(expected).count)

        let resumed = f.host(["run", "experiments/k", "--strategy", "resume"], extraPlugins: [quad])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.stderr.contains("resuming the optimization"), resumed.stderr)
        let doc = record(f, "k")
        XCTAssertEqual(doc["status"] as? String, "complete")
        XCTAssertEqual((doc["rounds"] as? [[String: Any]])?.first?["loaded_from_disk"] as? Bool, true, "round 0 is loaded, not run again")
        let strip = { (d: [String: Any]) in self.trials(d).map { ["trial": $0["trial"]!, "values": $0["values"]!, "params": $0["params"]!] } }
        XCTAssertEqual(try JSONSerialization.data(withJSONObject: strip(doc), options: .sortedKeys),
                       try JSONSerialization.data(withJSONObject: strip(expected), options: .sortedKeys))
        XCTAssertEqual((doc["best"] as? [String: Any])?["trial"] as? String, (expected["best"] as? [String: Any])?["trial"] as? String)
    }

    func testDryRunShowsTheHalvingScheduleAndItsBudget() {
        let f = ExperimentFixture("opt-dry")
        f.experiment("h", Self.config("h", optimize: Self.halving))
        let r = f.host(["run", "experiments/h", "--dry-run"], extraPlugins: [quad])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("optimize: halving, 8 trial(s), 2 replicate(s) per trial, minimize loss, seed 11"), r.stdout)
        XCTAssertTrue(r.stdout.contains("rounds: 8×2, 4×4, 2×8; treatment replicates: 32"), r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data"))
    }

    func testBadOptimizeConfigsNameFileAndLine() {
        let base = "  objective: {metric: loss, direction: minimize}\n  params:\n    x: {uniform: [-1, 1]}\n"
        let cases: [(String, Int, String)] = [
            ("  optimizer: annealing\n  trials: 4\n" + base, 10, "unknown optimizer 'annealing'; known optimizers: random_search, coord_search; built-in optimizers: grid, random, halving"),
            ("  optimizer: random\n" + base, 10, "optimizer 'random' needs trials"),
            ("  optimizer: random\n  trials: 4\n  params:\n    x: [1, 2]\n", 10, "missing objective"),
            ("  trials: 4\n  objective: {metric: loss, direction: up}\n  params:\n    x: [1]\n", 11, "direction must be minimize or maximize, got 'up'"),
            ("  optimizer: grid\n" + base, 13, "the grid optimizer needs finite values for 'x'"),
            ("  optimizer: random\n  trials: 3\n  eta: 3\n" + base, 12, "eta only applies to the halving optimizer"),
            ("  optimizer: halving\n  trials: 1\n" + base, 11, "halving needs at least 2 candidates"),
            ("  trials: 0\n" + base, 10, "trials must be at least 1"),
            ("  trials: 2\n  budget: 3\n" + base, 11, "unknown key 'budget'"),
        ]
        let f = ExperimentFixture("opt-bad")
        for (i, (yaml, line, needle)) in cases.enumerated() {
            f.experiment("bad\(i)", Self.config("bad\(i)", optimize: yaml))
            let r = f.run("experiments/bad\(i)", extraPlugins: [quad])
            XCTAssertEqual(r.status, 2, "case \(i): \(r.output)")
            XCTAssertTrue(r.stderr.contains("experiments/bad\(i)/config.yaml:\(line):"), "case \(i) should name line \(line): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(needle), "case \(i): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/data"))
        // A metric no step records is found after the first trial run, with the names that exist.
        f.experiment("metric", Self.config("metric", optimize: "  trials: 2\n  objective: {metric: los}\n  params:\n    x: [1]\n"))
        let r = f.run("experiments/metric", extraPlugins: [quad])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("optimize.objective.metric: metric 'los' is not recorded by any step; recorded: loss, x_seen"), r.stderr)
    }

    /// The report plots objective against trial (one point per evaluation, the best ringed);
    /// compare shows each optimization's optimizer, best and budget side by side.
    func testReportPlotsObjectiveAgainstTrialAndCompareShowsTheBest() throws {
        let f = ExperimentFixture("opt-report")
        f.experiment("h", Self.config("h", optimize: Self.halving).replacingOccurrences(of: "seed: 11", with: "seed: 11\nversioned: true"))
        XCTAssertEqual(f.host(["run", "experiments/h", "--quiet"], extraPlugins: [quad]).status, 0)
        XCTAssertEqual(f.host(["run", "experiments/h", "--quiet", "--seed", "12"], extraPlugins: [quad]).status, 0)
        let report = f.host(["report", "h@v0"])
        XCTAssertEqual(report.status, 0, report.output)
        let html = Harness.read("\(f.version("h"))/report.html")
        XCTAssertTrue(html.contains("<section id=\"optimization\">"), html)
        XCTAssertEqual(html.components(separatedBy: "data-trial=").count - 1, 14, "one point per evaluation")
        XCTAssertEqual(html.components(separatedBy: "class=\"best\"").count - 1, 1, "the best is ringed once")
        let best = try XCTUnwrap(record(f, "h")["best"] as? [String: Any])
        XCTAssertTrue(html.contains("best <strong>\(best["trial"] as! String)</strong>"), html)
        let compare = f.host(["compare", "h@v0", "h@v1"])
        XCTAssertEqual(compare.status, 0, compare.output)
        XCTAssertTrue(compare.stdout.contains("optimize.best"), compare.stdout)
        XCTAssertTrue(compare.stdout.contains(best["trial"] as! String), compare.stdout)
        XCTAssertTrue(compare.stdout.contains("optimize.seed"), compare.stdout)
    }

    /// Ctrl-C stops the search after the running replicates: exit 130, the record says
    /// cancelled, and resume finishes it.
    func testInterruptedOptimizationIsRecordedAsCancelledAndResumes() {
        let f = ExperimentFixture("opt-int")
        f.experiment("i", Self.config("i", optimize: Self.halving, delay: 15))
        let p = Harness.start(f.plugins + ["--plugin", quad, "run", "experiments/i", "--quiet"], in: f.dir)
        let path = "\(f.version("i"))/optimization.json"
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, p.isRunning, trials(Harness.hostJSONObject(Harness.read(path)) ?? [:]).count < 8 { usleep(2000) }
        XCTAssertTrue(p.isRunning, "the search ended before it could be interrupted")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
        let doc = Harness.hostJSONObject(Harness.read(path)) ?? [:]
        XCTAssertEqual(doc["status"] as? String, "cancelled")
        XCTAssertLessThan(trials(doc).count, 14)
        let resumed = f.host(["run", "experiments/i", "--quiet", "--strategy", "resume"], extraPlugins: [quad])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertEqual(record(f, "i")["status"] as? String, "complete")
        XCTAssertEqual(trials(record(f, "i")).count, 14)
    }
}
