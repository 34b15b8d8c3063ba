import Foundation
import XCTest

/// Optimizers from plugins (ABI 1.2): coord_search in C (OptimizeTestPlugin), line_search
/// through the Swift SDK (SwiftOptimizerTestPlugin), inspect, and broken optimizer exports.
final class PluginOptimizerTests: XCTestCase {
    var plugins: [String] { [Harness.plugin("OptimizeTestPlugin"), Harness.plugin("SwiftOptimizerTestPlugin")] }

    func config(_ name: String, optimizer: String, trials: Int, seed: Int = 3) -> String {
        """
        name: \(name)
        replicates: 2
        seed: 8
        datasource: quad_origin
        steps: [noisy_quadratic]
        optimize:
          optimizer: \(optimizer)
          trials: \(trials)
          seed: \(seed)
          replicates_per_trial: 2
          objective: {metric: loss, direction: minimize}
          params:
            x: {uniform: [-1, 1]}
            y: {uniform: [-1, 1]}
        """
    }

    func history(_ f: ExperimentFixture, _ name: String) -> (trials: [[String: Any]], best: [String: Any]?) {
        let doc = f.object("\(f.version(name))/optimization.json")
        return (doc["trials"] as? [[String: Any]] ?? [], doc["best"] as? [String: Any])
    }

    func testCoordinateSearchInCIsAskedToldAndImprovesDeterministically() throws {
        let f = ExperimentFixture("popt-c")
        f.experiment("c", config("c", optimizer: "coord_search", trials: 21))
        f.experiment("same", config("same", optimizer: "coord_search", trials: 21))
        f.experiment("other", config("other", optimizer: "coord_search", trials: 21, seed: 4))
        for e in ["c", "same", "other"] {
            let r = f.host(["run", "experiments/\(e)", "--quiet"] + (e == "same" ? ["--execution", "processes", "--workers", "2"] : []), extraPlugins: plugins)
            XCTAssertEqual(r.status, 0, r.output)
        }
        let (trials, best) = history(f, "c")
        XCTAssertEqual(trials.count, 21, "a start, then a step down and up per batch")
        let objectives = trials.map { $0["objective"] as! Double }
        XCTAssertLessThan(objectives.min()!, objectives[0], "the search improves on its random start")
        XCTAssertEqual(best?["objective"] as? Double, objectives.min())
        // Consecutive pairs differ along one axis by the same step, down then up.
        let p1 = trials[1]["params"] as! [String: Double], p2 = trials[2]["params"] as! [String: Double]
        XCTAssertEqual(p1["y"], p2["y"])
        XCTAssertNotEqual(p1["x"], p2["x"])
        // Its seeded stream: the same seed gives the same search (here under processes), another a different start.
        let strip = { (t: [[String: Any]]) in t.map { ["params": $0["params"]!, "values": $0["values"]!] } }
        XCTAssertEqual(try JSONSerialization.data(withJSONObject: strip(history(f, "same").trials), options: .sortedKeys),
                       try JSONSerialization.data(withJSONObject: strip(trials), options: .sortedKeys))
        XCTAssertNotEqual((history(f, "other").trials.first?["params"] as? [String: Double]), trials[0]["params"] as? [String: Double])
    }

    func testSwiftSDKOptimizerExtendsItsBestCandidate() throws {
        let f = ExperimentFixture("popt-swift")
        f.experiment("s", config("s", optimizer: "line_search", trials: 5))
        let r = f.host(["run", "experiments/s"], extraPlugins: plugins)
        XCTAssertEqual(r.status, 0, r.output)
        let (trials, best) = history(f, "s")
        XCTAssertEqual(trials.map { $0["replicates"] as? Int }, [2, 2, 2, 2, 2, 4])
        XCTAssertEqual(trials.prefix(5).map { ($0["params"] as! [String: Double])["x"]! }, [-1, -0.5, 0, 0.5, 1])
        let first = trials.prefix(5).min { ($0["objective"] as! Double) < ($1["objective"] as! Double) }!
        XCTAssertEqual(trials[5]["trial"] as? String, first["trial"] as? String, "told the objective, it extends the best")
        XCTAssertEqual(Array((trials[5]["values"] as! [Double]).prefix(2)), first["values"] as? [Double])
        XCTAssertEqual(best?["trial"] as? String, first["trial"] as? String)
        XCTAssertEqual(best?["replicates"] as? Int, 4)
        XCTAssertTrue(r.stdout.contains("optimizer line_search"), r.stdout)
    }

    func testInspectListsOptimizers() {
        let r = Harness.run(["inspect"] + plugins, in: Harness.temporaryDirectory("popt-inspect"))
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("optimizers:\n  coord_search — Coordinate search"), r.stdout)
        XCTAssertTrue(r.stdout.contains("      shrink: f64 = 0.5"), r.stdout)
        XCTAssertTrue(r.stdout.contains("optimizers:\n  line_search — Evenly spaced points"), r.stdout)
        XCTAssertTrue(r.stdout.contains("OptimizeTestPlugin 1.0.0 — ABI 1.2"), r.stdout)
    }

    func testBrokenOptimizerExportsAreRefusedNamingTheFile() {
        let dir = Harness.temporaryDirectory("popt-bad")
        let noTable = Harness.compileC("""
            #include "crystallize.h"
            static const crys_export exports[] = {{ .size = sizeof(crys_export), .kind = CRYS_KIND_OPTIMIZER, .name = "empty" }};
            static const crys_plugin d = { .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 2,
                .pointer_size = sizeof(void *), .name = "NoTable", .version = "1", .exports = exports, .export_count = 1 };
            CRYS_DEFINE_ENTRY(host) { (void)host; return &d; }
            """, name: "notable", in: dir)
        let r = Harness.run(["inspect", noTable], in: dir)
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains(noTable) && r.stderr.contains("optimizer 'empty' has no optimizer (callback table) function"), r.stderr)

        let noAsk = Harness.compileC("""
            #include "crystallize.h"
            static crys_status create(crys_ctx *c, const crys_value *s, const crys_value *t, void **st, void *u) { (void)c; (void)s; (void)t; (void)st; (void)u; return CRYS_OK; }
            static const crys_optimizer table = { .size = sizeof(crys_optimizer), .create = create };
            static const crys_export exports[] = {{ .size = sizeof(crys_export), .kind = CRYS_KIND_OPTIMIZER, .name = "half", .optimizer = &table }};
            static const crys_plugin d = { .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 2,
                .pointer_size = sizeof(void *), .name = "NoAsk", .version = "1", .exports = exports, .export_count = 1 };
            CRYS_DEFINE_ENTRY(host) { (void)host; return &d; }
            """, name: "noask", in: dir)
        let r2 = Harness.run(["inspect", noAsk], in: dir)
        XCTAssertEqual(r2.status, 2, r2.output)
        XCTAssertTrue(r2.stderr.contains("optimizer 'half' has no ask, tell function"), r2.stderr)

        // An optimizer asking for a parameter outside the space stops the search with a message.
        let stray = Harness.compileC("""
            #include "crystallize.h"
            static const crys_host *H;
            static crys_status create(crys_ctx *c, const crys_value *s, const crys_value *t, void **st, void *u) { (void)c; (void)s; (void)t; (void)u; *st = 0; return CRYS_OK; }
            static crys_status ask(crys_ctx *c, void *st, crys_value *batch, void *u) {
                (void)st; (void)u;
                crys_value *p = H->make_map(c); H->map_set(p, "z", H->make_f64(c, 1));
                crys_value *t = H->make_map(c); H->map_set(t, "params", p);
                return H->list_push(batch, t);
            }
            static crys_status tell(crys_ctx *c, void *st, const crys_value *r, void *u) { (void)c; (void)st; (void)r; (void)u; return CRYS_OK; }
            static const crys_optimizer table = { .size = sizeof(crys_optimizer), .create = create, .ask = ask, .tell = tell };
            static const crys_export exports[] = {{ .size = sizeof(crys_export), .kind = CRYS_KIND_OPTIMIZER, .name = "stray", .optimizer = &table }};
            static const crys_plugin d = { .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = 2,
                .pointer_size = sizeof(void *), .name = "Stray", .version = "1", .exports = exports, .export_count = 1 };
            CRYS_DEFINE_ENTRY(host) { H = host; return &d; }
            """, name: "stray", in: dir)
        Harness.write("\(dir)/experiments/st/config.yaml", config("st", optimizer: "stray", trials: 2))
        let r3 = Harness.run(["--plugin", Harness.plugin("OptimizeTestPlugin"), "--plugin", stray, "run", "experiments/st"], in: dir)
        XCTAssertEqual(r3.status, 2, r3.output)
        XCTAssertTrue(r3.stderr.contains("optimizer 'Stray.stray' set 'z', which is not in optimize.params (x, y)"), r3.stderr)
    }
}
