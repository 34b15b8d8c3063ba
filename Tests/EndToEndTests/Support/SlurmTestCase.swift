import ChildProcesses
import Foundation
import XCTest

/// What every test against the real local Slurm cluster shares (scripts/slurm-local.sh;
/// `.ci/run` starts that cluster and sets CRYSTALLIZE_TEST_SLURM=1). Without it every test
/// of a subclass is skipped.
class SlurmTestCase: XCTestCase {
    var dir = ""
    var slurmPlugins: [String] { ["--plugin", Harness.plugin("CTestPlugin"), "--plugin", Harness.plugin("SlurmExecution")] }

    override func setUpWithError() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["CRYSTALLIZE_TEST_SLURM"] == "1" else {
            throw XCTSkip("needs a Slurm cluster: eval \"$(scripts/slurm-local.sh start)\" and CRYSTALLIZE_TEST_SLURM=1")
        }
        guard let conf = env["SLURM_CONF"], !conf.isEmpty else { throw XCTSkip("SLURM_CONF is not set (scripts/slurm-local.sh start prints it)") }
        dir = Harness.temporaryDirectory("slurm")
    }

    // MARK: - helpers

    /// Runs a Slurm client command and returns its stdout.
    func slurm(_ command: String, _ args: [String]) -> String {
        Command(command, args).runBlocking().stdout
    }

    /// State of every task of array job `id`, one entry per line of squeue.
    func taskStates(_ id: String) -> [String] {
        slurm("squeue", ["-h", "-r", "-t", "all", "-j", id, "-O", "State"]).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Ids of every job the controller still reports.
    func knownJobs() -> Set<String> {
        Set(slurm("squeue", ["-h", "-t", "all", "-o", "%F"]).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// The submission folders (slurm-XXXXXX) under `parent`.
    func submissions(_ parent: String) -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix("slurm-") }.map { "\(parent)/\($0)" })
    }

    func replicatesWithResults(_ submission: String) -> Set<Int> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: submission)) ?? []).compactMap {
            $0.hasPrefix("result_") && $0.hasSuffix(".outcomes") ? Int($0.dropFirst("result_".count).dropLast(".outcomes".count)) : nil
        })
    }

    func results(_ data: String, _ exp: String, _ conditions: [String]) -> [String: Data] {
        var out: [String: Data] = [:]
        for c in conditions { if let d = FileManager.default.contents(atPath: "\(data)/\(exp)/v0/\(c)/results.json") { out[c] = d } }
        return out
    }

    func crashConfig(_ name: String, mode: String, on: Int, perTask: Int = 0) {
        Harness.write("\(dir)/experiments/\(name)/config.yaml", """
        name: \(name)
        replicates: 4
        datasource: c_range
        steps:
          - c_add
          - step: c_crash
            params: {mode: \(mode), on_replicate: \(on)}
        execution: {strategy: slurm, poll_interval: 0.2, replicates_per_task: \(perTask)}
        """)
    }

    /// The replicates of each task of a submission (the lines of its replicates.txt).
    func batches(_ submission: String) -> [[Int]] {
        Harness.read("\(submission)/replicates.txt").split(separator: "\n").map { $0.split(separator: ",").compactMap { Int($0) } }
    }

    /// The job ids of a submission's arrays (from its submission.json).
    func jobIDs(_ submission: String) -> [String] {
        ((Harness.json("\(submission)/submission.json") as? [String: Any])?["arrays"] as? [[String: Any]])?.compactMap { $0["jobID"] as? String } ?? []
    }

    /// Every attempt log of a submission, by file name.
    func attemptLogs(_ submission: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: submission)) ?? []).filter { $0.contains(".attempt") && $0.hasSuffix(".log") }.sorted()
    }

    /// Polls `condition` every 0.1 s for up to `timeout` seconds.
    @discardableResult
    func waitFor(_ timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        Poll.first(timeout: timeout, every: 100_000, failure: nil) { condition() ? true : nil } ?? condition()
    }

    /// metrics.<metric> of a condition's results.json.
    func metricCount(_ data: String, _ exp: String, _ condition: String = "baseline", _ metric: String = "c_sum") -> Int? {
        ((Harness.json("\(data)/\(exp)/v0/\(condition)/results.json") as? [String: Any])?["metrics"] as? [String: Any]).flatMap { ($0[metric] as? [Double])?.count }
    }
}
