import ChildProcesses
import Foundation
import XCTest

/// The run screen: drawn on a terminal, silent otherwise.
final class ProgressTests: XCTestCase {
    func testTerminalShowsReplicatesConditionsErrorsElapsedAndEta() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("util-linux `script` is needed for a pseudo-terminal") }
        let dir = Harness.temporaryDirectory("progress")
        Harness.write("\(dir)/experiments/p/config.yaml", """
        name: p
        replicates: 12
        datasource: c_range
        steps:
          - step: c_sleep
            params: {ms: 20}
          - step: c_crash
            params: {mode: error, on_replicate: 4}
        treatments:
          t: {n: 2}
        """)
        let command = "\(Harness.host) --plugin \(Harness.plugin("CTestPlugin")) run experiments/p"
        let text = Command("/usr/bin/script", ["-qec", command, "/dev/null"], directory: dir).runBlocking().stdout
        let last = try XCTUnwrap(text.components(separatedBy: "\r").last { $0.contains("replicates 12/12") }, text)
        for part in ["conditions 24/24", "errors 2", "elapsed ", "eta "] { XCTAssertTrue(last.contains(part), last) }

        let quiet = Harness.run(["--plugin", Harness.plugin("CTestPlugin"), "run", "experiments/p", "--quiet"], in: dir)
        XCTAssertFalse(quiet.stderr.contains("replicates 12/12"), quiet.output)
    }
}
