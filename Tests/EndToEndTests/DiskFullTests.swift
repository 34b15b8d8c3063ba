import ChildProcesses
import CrystallizeRuntime
import Foundation
import XCTest

/// A checkpoint write that fails stops the run at once, keeps what is safe, says so, and a
/// resume once the cause is fixed gives exactly the results of an uninterrupted run. As root
/// the filesystem really fills (a small tmpfs); otherwise the journal's fault switch fails it.
final class DiskFullTests: XCTestCase {
    static let replicates = 1000

    private func experiment(_ f: ExperimentFixture) -> String {
        f.experiment("full", """
        name: full
        replicates: \(Self.replicates)
        seed: 11
        cache: false
        datasource: c_range
        steps:
          - c_sleep: {ms: 1}
          - rt_draw
        treatments:
          other: {n: 3}
        """)
    }

    private var extra: [String] { [Harness.plugin("ReliabilityTestPlugin")] }

    /// A tmpfs of `size` bytes mounted at `path`, or nil when this process may not mount.
    private func mountTmpfs(_ path: String, size: Int) -> Bool {
        guard getuid() == 0 else { return false }
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return Command("mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path]).runBlocking().status == 0
    }

    private func unmount(_ path: String) {
        _ = Command("umount", [path]).runBlocking()
    }

    private func lines(_ path: String) -> Int { Harness.read(path).split(separator: "\n").count }

    func testFullDiskStopsTheRunKeepsSafeReplicatesAndResumeMatchesAnUninterruptedRun() throws {
        try check(fill: true, execution: ["--execution", "threads", "--workers", "2"])
    }

    /// The switch used where no filesystem can be filled, under worker processes.
    func testFailedJournalWriteUnderProcessesStopsAndResumes() throws {
        try check(fill: false, execution: ["--execution", "processes", "--workers", "2"])
    }

    private func check(fill: Bool, execution: [String]) throws {
        let f = ExperimentFixture("diskfull")
        let exp = experiment(f)
        let reference = f.run(exp, ["--data-dir", "reference"], extraPlugins: extra)
        XCTAssertEqual(reference.status, 0, reference.output)

        let mount = "\(f.dir)/small"
        let mounted = fill && mountTmpfs(mount, size: 1024 * 1024)
        defer { if mounted { unmount(mount) } }
        let dataDir = mounted ? "\(mount)/data" : "\(f.dir)/faulty"
        let filler = "\(mount)/filler"
        var environment = ["RT_CALL_LOG": "\(f.dir)/calls-1"]
        if mounted {
            // Leave room for the run's metadata and the first few checkpoint blocks only.
            _ = FileManager.default.createFile(atPath: filler, contents: Data(count: 1024 * 1024 - 40 * 1024))
        } else {
            environment[CheckpointJournal.faultSwitch] = "3"
        }
        let failed = f.run(exp, ["--data-dir", dataDir] + execution, extraPlugins: extra, environment: environment)
        XCTAssertEqual(failed.status, 1, failed.output)
        XCTAssertTrue(failed.stderr.contains("cannot write the checkpoint journal \(dataDir)/full/v0/replicates.journal (write: No space left on device)"), failed.output)
        XCTAssertTrue(failed.stderr.contains("stopped scheduling replicates"), failed.output)
        XCTAssertTrue(failed.stderr.contains("--strategy resume"), failed.output)
        let safe = Int(failed.stderr.components(separatedBy: " of \(Self.replicates) replicate(s) are safe on disk").first?
            .split(separator: " ").last ?? "") ?? -1
        XCTAssertGreaterThan(safe, 0, failed.output)
        XCTAssertLessThan(safe, Self.replicates, failed.output)
        // It stopped scheduling: far fewer (replicate, condition) calls ran than the run has.
        let ranBefore = lines("\(f.dir)/calls-1")
        XCTAssertLessThan(ranBefore, 2 * Self.replicates, "the run went on after the failed write")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dataDir)/full/v0/baseline/results.json"), "no results from a stopped run")

        if mounted { try FileManager.default.removeItem(atPath: filler) }
        let resumed = f.run(exp, ["--data-dir", dataDir, "--strategy", "resume"] + execution, extraPlugins: extra,
                            environment: ["RT_CALL_LOG": "\(f.dir)/calls-2"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertFalse(resumed.stderr.contains("damaged"), "the journal was cut back to whole blocks: \(resumed.output)")
        XCTAssertLessThanOrEqual(lines("\(f.dir)/calls-2"), 2 * (Self.replicates - safe), "safe replicates are not run again")
        for condition in ["baseline", "other"] {
            let a = Harness.read("\(f.dir)/reference/full/v0/\(condition)/results.json")
            let b = Harness.read("\(dataDir)/full/v0/\(condition)/results.json")
            XCTAssertFalse(a.isEmpty)
            XCTAssertTrue(a == b, "\(condition): resumed results differ from an uninterrupted run (\(a.count) vs \(b.count) bytes)")
        }
    }
}
