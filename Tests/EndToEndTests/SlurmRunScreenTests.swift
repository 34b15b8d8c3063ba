import Foundation
import XCTest

/// The run screen follows a run on the real local Slurm cluster: the strategy's progress
/// messages (scheduler states) appear while it runs, and the count reaches N/N. Needs both
/// CRYSTALLIZE_TEST_SLURM and CRYSTALLIZE_TEST_TMUX.
final class SlurmRunScreenTests: SlurmTestCase {
    func testTheRunScreenShowsSlurmProgressAndReachesNOfN() throws {
        _ = try TmuxPane.requireTmux()
        Harness.write("\(dir)/experiments/onscreen/config.yaml", """
        name: onscreen
        replicates: 4
        datasource: c_range
        steps:
          - step: c_sleep
            params: {ms: 1500}
          - c_add
        execution: {strategy: slurm, poll_interval: 0.2, replicates_per_task: 2}
        """)
        let env = ProcessInfo.processInfo.environment
        let p = try TmuxPane(["--plugin", Harness.plugin("SlurmExecution"), "run", "experiments/onscreen", "--ui"], in: dir, columns: 120, rows: 30,
                             environment: ["SLURM_CONF": env["SLURM_CONF"] ?? ""])
        defer { p.close() }
        p.waitFor("the Slurm strategy's progress message while running", timeout: 180) {
            $0.contains("slurm job") && $0.contains("replicates done") && $0.contains("running")
        }
        let done = p.waitFor("the run to finish", timeout: 300) { $0.contains("replicate 4/4") && $0.contains("complete") }
        XCTAssertTrue(done.contains("strategy"), done)
        p.send("q")
        XCTAssertEqual(p.exitStatus(), 0, p.screen())
        XCTAssertEqual(p.sttyAfter, p.sttyBefore, "terminal settings differ after the host exited")
        XCTAssertNotNil(Harness.json("\(dir)/data/onscreen/v0/baseline/results.json"), "the run's results were written")
    }
}
