import Foundation
import XCTest

/// retries: under the Slurm plugin's run loop: a replicate whose first attempt failed on the
/// cluster is submitted again (not handed back its failed result) and succeeds.
final class SlurmRetryTests: SlurmTestCase {
    func testAFlakyReplicateIsSubmittedAgainAndSucceeds() throws {
        let attempts = "\(dir)/attempts"
        try FileManager.default.createDirectory(atPath: attempts, withIntermediateDirectories: true)
        Harness.write("\(dir)/experiments/flaky/config.yaml", """
        name: flaky
        replicates: 3
        retries: 1
        datasource: c_range
        steps:
          - rt_flaky: {dir: "\(attempts)", failures: 1}
        execution: {strategy: slurm, poll_interval: 0.2}
        """)
        let r = Harness.run(slurmPlugins + ["--plugin", Harness.plugin("ReliabilityTestPlugin"), "run", "experiments/flaky"], in: dir, timeout: 300)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("retried: 3 (replicate, condition) run(s); finally failed: 0"), r.output)
        let base = try XCTUnwrap(Harness.json("\(dir)/data/flaky/v0/baseline/results.json") as? [String: Any])
        XCTAssertEqual((base["metrics"] as? [String: Any])?["attempts"] as? [Double], [2, 2, 2], "each replicate's second attempt ran on the cluster")
    }
}
