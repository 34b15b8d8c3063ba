import Foundation
import XCTest

/// Each replicate's step logs (and, in worker processes, everything the worker printed) are
/// kept under the run's folder; `show <experiment> --logs R` prints them; provenance names them.
final class ReplicateLogTests: XCTestCase {
    /// A step that logs through the host and prints to stdout and stderr, naming its replicate.
    static let chatter = """
    #include <stdio.h>
    #include "crystallize.h"
    static const crys_host *H;
    static crys_status chatter(crys_ctx *ctx, crys_value *data, crys_value **out, void *user) {
        (void)user;
        long long r = (long long)H->get_i64(H->ctx_get(ctx, "replicate"));
        const char *c = H->get_string(H->ctx_get(ctx, "condition"), NULL);
        char line[128];
        snprintf(line, sizeof line, "host-log replicate=%lld condition=%s", r, c);
        H->log(ctx, CRYS_LOG_INFO, line);
        printf("stdout replicate=%lld condition=%s\\n", r, c);
        fprintf(stderr, "stderr replicate=%lld condition=%s\\n", r, c);
        *out = data;
        return CRYS_OK;
    }
    static const crys_export exports[] = {
        { .size = sizeof(crys_export), .kind = CRYS_KIND_STEP, .name = "chatter", .doc = "Logs and prints its replicate",
          .flags = CRYS_F_THREAD_SAFE, .call = chatter },
    };
    static const crys_plugin descriptor = { .size = sizeof(crys_plugin), .abi_major = CRYS_ABI_MAJOR, .abi_minor = CRYS_ABI_MINOR,
        .pointer_size = sizeof(void *), .name = "Chatter", .version = "1.0.0", .doc = "test", .exports = exports, .export_count = 1 };
    CRYS_DEFINE_ENTRY(host) { H = host; return &descriptor; }
    """

    func setUpExperiment(_ dir: String) -> [String] {
        let lib = Harness.compileC(Self.chatter, name: "Chatter", in: dir)
        Harness.write("\(dir)/experiments/chatty/config.yaml", """
        name: chatty
        replicates: 3
        datasource: c_range
        steps:
          - chatter
          - c_add
        treatments:
          more: {amount: 2.0}
        """)
        return ["--plugin", Harness.plugin("CTestPlugin"), "--plugin", lib]
    }

    /// Worker processes: step logs, stdout and stderr of each replicate land in its own log.
    func testProcessesKeepEachReplicatesOutputApart() throws {
        let dir = Harness.temporaryDirectory("logs")
        let plugins = setUpExperiment(dir)
        let r = Harness.run(plugins + ["run", "experiments/chatty", "--execution", "processes", "--workers", "2", "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        for rep in 0..<3 {
            let shown = Harness.run(["show", "chatty", "--logs", "\(rep)"], in: dir)
            XCTAssertEqual(shown.status, 0, shown.output)
            for c in ["baseline", "more"] {
                for kind in ["host-log", "stdout", "stderr"] {
                    XCTAssertTrue(shown.stdout.contains("\(kind) replicate=\(rep) condition=\(c)"), "replicate \(rep) lacks its \(kind) line for \(c):\n\(shown.stdout)")
                }
            }
            for other in (0..<3).filter({ $0 != rep }) {
                XCTAssertFalse(shown.stdout.contains("replicate=\(other) "), "replicate \(rep)'s log holds replicate \(other)'s output:\n\(shown.stdout)")
            }
        }
        let prov = try XCTUnwrap(Harness.json("\(dir)/data/chatty/v0/provenance.json") as? [String: Any])
        let logs = try XCTUnwrap(prov["logs"] as? [String: [String]], "\(prov.keys)")
        XCTAssertEqual(logs["1"], ["logs/replicate_1/output.log"])
    }

    /// In-process strategies keep each replicate's step logs; a replicate without logs is a clear error.
    func testSerialKeepsStepLogsAndMissingLogsAreAClearError() throws {
        let dir = Harness.temporaryDirectory("logs")
        let plugins = setUpExperiment(dir)
        let r = Harness.run(plugins + ["run", "experiments/chatty", "--execution", "threads", "--workers", "2", "--quiet"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        let shown = Harness.run(["show", "chatty", "--logs", "2"], in: dir)
        XCTAssertEqual(shown.status, 0, shown.output)
        XCTAssertTrue(shown.stdout.contains("host-log replicate=2 condition=baseline") && shown.stdout.contains("host-log replicate=2 condition=more"), shown.output)
        XCTAssertFalse(shown.stdout.contains("replicate=1 "), shown.output)
        let missing = Harness.run(["show", "chatty", "--logs", "7"], in: dir)
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.stderr.contains("no logs for replicate 7"), missing.output)
        let bad = Harness.run(["show", "chatty", "--logs", "-1"], in: dir)
        XCTAssertNotEqual(bad.status, 0, bad.output)
    }
}
