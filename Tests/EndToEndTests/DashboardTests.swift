import ChildProcesses
import Foundation
import XCTest

/// `crystallize-host serve`: the dashboard over real HTTP — pages, refusals, live progress.
final class DashboardTests: XCTestCase {
    /// A started dashboard: its process and port.
    struct Served {
        var process: BackgroundCommand
        var port: Int
    }

    /// Starts `crystallize-host serve --port 0` in `fx` and waits for the line naming its address.
    func serve(_ fx: ExperimentFixture, file: StaticString = #filePath, line: UInt = #line) throws -> Served {
        let p = Harness.start(["serve", "--data-dir", "data", "--port", "0"], in: fx.dir)
        addTeardownBlock { if p.isRunning { p.terminate(); p.waitUntilExit() } }
        Poll.until("the served address") { p.stdout.contains("\n") || !p.isRunning }
        let text = p.stdout
        let m = try XCTUnwrap(text.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression), "no address in: \(text)", file: file, line: line)
        let port = Int(text[m].split(separator: ":").last!.dropLast())!
        return Served(process: p, port: port)
    }

    func testPagesOverHttpAndEveryTraversalRefused() throws {
        let fx = ExperimentFixture("dash")
        XCTAssertEqual(fx.run(fx.experiment("cmp", CompareTests.config)).status, 0)
        XCTAssertEqual(fx.run("experiments/cmp").status, 0)
        try FileManager.default.createSymbolicLink(atPath: "\(fx.dir)/data/escape", withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(atPath: "\(fx.version("cmp", 0))/leak", withDestinationPath: "/etc/hostname")
        let s = try serve(fx)

        let index = try XCTUnwrap(HttpProbe.request(port: s.port, "/"))
        XCTAssertEqual(index.status, 200)
        XCTAssertTrue(index.body.contains("data-run=\"cmp@v0\"") && index.body.contains("data-run=\"cmp@v1\""), index.body)
        let report = try XCTUnwrap(HttpProbe.request(port: s.port, "/runs/cmp/v1"))
        XCTAssertEqual(report.status, 200)
        XCTAssertEqual(report.body.components(separatedBy: "<circle class=\"pt\"").count - 1, 3 * 2, "the run's report: a point per replicate and condition")
        let compare = try XCTUnwrap(HttpProbe.request(port: s.port, "/compare?a=cmp%40v0&b=cmp@v1"))
        XCTAssertEqual(compare.status, 200)
        XCTAssertTrue(compare.body.contains("The runs do not differ"), "two runs of one config differ in nothing compared")
        XCTAssertTrue(compare.body.contains("<table class=\"metrics\">"), compare.body)
        let progress = try XCTUnwrap(HttpProbe.request(port: s.port, "/api/progress/cmp/v0"))
        XCTAssertEqual(progress.status, 200)
        XCTAssertTrue(progress.body.contains("\"status\": \"complete\", \"total\": 6, \"done\": 6, \"failures\": 0"), progress.body)
        let file = try XCTUnwrap(HttpProbe.request(port: s.port, "/files/cmp/v0/metadata.json"))
        XCTAssertEqual(file.status, 200)
        XCTAssertTrue(file.body.contains("\"name\": \"cmp\""))

        for target in ["/../../etc/passwd", "/files/cmp/v0/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                       "/files/cmp/v0/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/files/cmp/v0/..%5c..%5cetc", "/files/escape/v0/passwd",
                       "/files/cmp/v0/leak", "/runs/%00/v0", "/files/cmp/v0/.work/request.json", "/runs/cmp/v9", "/nope",
                       "/compare?a=..%2F..%2Fetc@v0&b=cmp@v0", "/compare?a=cmp@v0", "/api/progress/escape/v0"] {
            let r = try XCTUnwrap(HttpProbe.request(port: s.port, target), target)
            XCTAssertTrue((400..<500).contains(r.status), "\(target) answered \(r.status)")
            XCTAssertFalse(r.body.contains("root:"), "\(target) leaked a file")
        }
        XCTAssertEqual(HttpProbe.request(port: s.port, "/", method: "POST")?.status, 405)
        XCTAssertEqual(HttpProbe.request(port: s.port, "/", method: "DELETE")?.status, 405)
        HttpProbe.raw(port: s.port, "NONSENSE\r\n\r\n")
        HttpProbe.raw(port: s.port, "GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\n\r\n")
        XCTAssertEqual(HttpProbe.request(port: s.port, "/")?.status, 200, "still serving after malformed requests")
        XCTAssertTrue(s.process.isRunning)
    }

    func testLiveStreamSeesProgressChangeWhileTheRunGoesOn() throws {
        let fx = ExperimentFixture("dash-live")
        let exp = fx.experiment("slow", """
        name: slow
        replicates: 12
        datasource: numbers
        steps:
          - step: c_sleep
            params: {ms: 250}
          - record_metric
        """)
        try FileManager.default.createDirectory(atPath: "\(fx.dir)/data", withIntermediateDirectories: true)
        let s = try serve(fx)
        let run = Harness.start(fx.plugins + ["run", exp, "--quiet"], in: fx.dir)
        addTeardownBlock { if run.isRunning { run.terminate(); run.waitUntilExit() } }
        // Wait (polling) for the run's folder to appear, then follow its stream.
        let deadline = Date().addingTimeInterval(60)
        while HttpProbe.request(port: s.port, "/api/progress/slow/v0")?.status != 200 && Date() < deadline { usleep(20_000) }
        let live = try XCTUnwrap(HttpProbe.request(port: s.port, "/runs/slow/v0/live"))
        XCTAssertEqual(live.status, 200)
        XCTAssertTrue(live.body.contains("new EventSource(\"/events/slow/v0\")"), "the live page subscribes to the stream")

        var seen: [(status: String, done: Int)] = []
        var last: [String: Any] = [:]
        var etas: [Double] = []
        let stopped = HttpProbe.followEvents(port: s.port, "/events/slow/v0", timeout: 120) { data in
            guard let o = Harness.hostJSONObject(data) else { return true }
            last = o
            if o["status"] as? String == "running", let d = o["done"] as? Int, d > 0, d < 12 { etas.append(o["eta_s"] as? Double ?? -1) }
            seen.append((o["status"] as? String ?? "?", o["done"] as? Int ?? -1))
            return o["status"] as? String == "running"
        }
        XCTAssertTrue(stopped, "the stream reached the final state before it ended or timed out: \(seen)")
        let running = seen.filter { $0.status == "running" }.map(\.done)
        XCTAssertGreaterThanOrEqual(Set(running).count, 2, "the stream pushed at least two different counts while running: \(seen)")
        XCTAssertEqual(running, running.sorted(), "done only grows")
        XCTAssertFalse(etas.isEmpty)
        XCTAssertTrue(etas.allSatisfy { $0 > 0 }, "an ETA while part is done: \(etas)")
        XCTAssertTrue(last["eta_s"] is NSNull, "no ETA once finished")
        XCTAssertEqual(seen.last?.status, "complete", "the stream ends with the final state: \(seen)")
        XCTAssertEqual(last["done"] as? Int, 12)
        XCTAssertEqual(last["total"] as? Int, 12)
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0)
    }

    func testLivePageInChromiumIsUpdatedByTheRunAsItGoesOn() throws {
        _ = try Chromium.executable()
        let fx = ExperimentFixture("dash-browser")
        let gate = "\(fx.dir)/gate"
        try FileManager.default.createDirectory(atPath: gate, withIntermediateDirectories: true)
        let exp = fx.experiment("gated", """
        name: gated
        replicates: 6
        datasource: numbers
        steps:
          - step: rt_gate
            params: {dir: \(gate)}
          - record_metric
        """)
        try FileManager.default.createDirectory(atPath: "\(fx.dir)/data", withIntermediateDirectories: true)
        let s = try serve(fx)
        let run = Harness.start(fx.plugins + ["--plugin", Harness.plugin("ReliabilityTestPlugin"), "run", exp, "--quiet"], in: fx.dir)
        addTeardownBlock { if run.isRunning { run.terminate(); run.waitUntilExit() } }
        func progress() -> [String: Any]? { HttpProbe.request(port: s.port, "/api/progress/gated/v0").flatMap { Harness.hostJSONObject($0.body) } }
        // The run is held at its gate: running, nothing done.
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: "\(gate)/started") && Date() < deadline { usleep(20_000) }
        while progress()?["status"] as? String != "running" && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(progress()?["done"] as? Int, 0)

        // The browser opens the live page while the run waits; once its stream is open, the gate opens.
        final class Box: @unchecked Sendable { var dom = ""; var error: Error? }
        let box = Box()
        let browserDone = DispatchSemaphore(value: 0)
        let profile = Harness.temporaryDirectory("chromium-live")
        DispatchQueue.global().async {
            do { box.dom = try Chromium.run(["--virtual-time-budget=60000", "--dump-dom", "http://127.0.0.1:\(s.port)/runs/gated/v0/live"], profile: profile, loopback: true) } catch { box.error = error }
            browserDone.signal()
        }
        while (progress()?["watchers"] as? Int ?? 0) < 1 && Date() < deadline { usleep(20_000) }
        XCTAssertEqual(progress()?["watchers"] as? Int, 1, "the browser follows the stream")
        XCTAssertEqual(progress()?["status"] as? String, "running", "still held at the gate when the page opened")
        Harness.write("\(gate)/open", "")
        XCTAssertEqual(browserDone.wait(timeout: .now() + 120), .success, "chromium did not finish")
        XCTAssertNil(box.error)
        // What the browser shows now came through the stream: the page was rendered while nothing was done.
        XCTAssertTrue(box.dom.contains("<td id=\"status\">complete</td>"), box.dom)
        XCTAssertTrue(box.dom.contains("<span id=\"done\">6</span>"), box.dom)
        let updates = box.dom.range(of: #"data-updates="(\d+)""#, options: .regularExpression).map { Int(box.dom[$0].filter(\.isNumber)) ?? 0 } ?? 0
        XCTAssertGreaterThanOrEqual(updates, 2, "the first state and at least the final one were pushed")
        run.waitUntilExit()
        XCTAssertEqual(run.terminationStatus, 0)
    }

    func testServeWithoutTheDashboardBuiltSaysHowToBuildIt() throws {
        // A copy of the host alone in a folder: no crystallize-dashboard beside it.
        let dir = Harness.temporaryDirectory("serve-alone")
        try FileManager.default.copyItem(atPath: Harness.host, toPath: "\(dir)/crystallize-host")
        let r = Command("\(dir)/crystallize-host", ["serve", "--port", "0"], directory: dir).runBlocking()
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("swift build --product crystallize-dashboard"), r.stderr)
    }
}
