import ChildProcesses
import Foundation
import XCTest

/// A run whose process died without rewriting metadata.json ("running") is shown as
/// interrupted by `show`, judged by the run lock its dead process left behind.
final class InterruptedRunTests: XCTestCase {
    func testShowCallsARunWithAStaleLockInterruptedAndALiveOneRunning() throws {
        let fx = ExperimentFixture("interrupted")
        let exp = fx.experiment("small", """
        name: small
        replicates: 2
        datasource: numbers
        steps:
          - record_metric
        """)
        XCTAssertEqual(fx.run(exp).status, 0)
        // Leave the state a SIGKILLed run leaves: status "running" and its lock file.
        let metaPath = "\(fx.version("small"))/metadata.json"
        let meta = Harness.read(metaPath).replacingOccurrences(of: #""status" *: *"[a-z]+""#, with: "\"status\": \"running\"", options: .regularExpression)
        Harness.write(metaPath, meta)
        let dead = try XCTUnwrap(Command("/bin/true", []).runBlocking().processIdentifier, "a finished process's pid")
        var host = [CChar](repeating: 0, count: 256); gethostname(&host, host.count)
        func lock(pid: Int32) { Harness.write("\(fx.dir)/data/small/.crystallize-lock", "{\"pid\":\(pid),\"host\":\"\(String(cString: host))\",\"started\":\"x\",\"command\":\"run\"}") }
        lock(pid: dead)
        let shown = fx.host(["show", "small"])
        XCTAssertTrue(shown.stdout.contains("interrupted — resume with --strategy resume"), shown.output)
        // Held by a live process (this test), the same run is still shown as running.
        lock(pid: getpid())
        let live = fx.host(["show", "small"])
        XCTAssertTrue(live.stdout.contains("status \"running\""), live.output)
        XCTAssertFalse(live.stdout.contains("interrupted"), live.output)
    }
}
