import Foundation
import XCTest

/// `crystallize-host report`: the HTML file a user opens, rendered by a real browser.
final class ReportTests: XCTestCase {
    /// Three conditions, two metrics, four replicates, a hypothesis.
    static let small = """
    name: small
    replicates: 4
    seed: 11
    datasource: numbers
    steps: [add_delta, c_add, record_metric]
    treatments:
      up: {delta: 2.0}
      far: {delta: 5.0, amount: 1.0}
    hypotheses:
      - name: rises
        verifier: welch_t_test
        metrics: total
    """

    /// (condition, replicate) of every point drawn for `metric`, from markup.
    func points(_ html: String, metric: String) -> [String: Set<Int>] {
        guard let start = html.range(of: "data-metric=\"\(metric)\"") else { return [:] }
        let plot = html[start.upperBound...].prefix { _ in true }
        let end = plot.range(of: "</svg>").map { plot[..<$0.lowerBound] } ?? plot
        let rx = try! NSRegularExpression(pattern: #"<circle class="pt" data-condition="([^"]*)" data-replicate="(\d+)""#)
        let text = String(end)
        var out: [String: Set<Int>] = [:]
        for m in rx.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let c = String(text[Range(m.range(at: 1), in: text)!]), r = Int(text[Range(m.range(at: 2), in: text)!])!
            out[c, default: []].insert(r)
        }
        return out
    }

    func testReportInChromiumHasOnePointPerReplicateAndConditionTakesAScreenshotAndReachesNothing() throws {
        let chromium = try Chromium.executable()
        _ = chromium
        let fx = ExperimentFixture("report")
        let exp = fx.experiment("small", Self.small)
        XCTAssertEqual(fx.run(exp).status, 0)
        let r = fx.host(["report", "small"])
        XCTAssertEqual(r.status, 0, r.output)
        let path = "\(fx.version("small"))/report.html"
        XCTAssertEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "data/small/v0/report.html")
        let html = Harness.read(path)
        // Self-contained: no script, no external URL, nothing to fetch.
        XCTAssertFalse(html.contains("<script"), "the report has no script")
        XCTAssertNil(html.range(of: #"(src|href)\s*=\s*"(?!#)"#, options: .regularExpression), "the report links no resource")
        XCTAssertNil(html.range(of: #"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}"#, options: .regularExpression), "the report names no external URL")
        XCTAssertTrue(html.contains("prefers-color-scheme: dark"))

        let profile = Harness.temporaryDirectory("chromium")
        let netLog = "\(profile)/netlog.json"
        let dom = try Chromium.run(["--log-net-log=\(netLog)", "--dump-dom", "file://\(path)"], profile: profile)
        XCTAssertTrue(dom.contains("<svg"), "chromium rendered no SVG: \(dom.prefix(300))")
        for metric in ["total", "c_sum"] {
            let drawn = points(dom, metric: metric)
            XCTAssertEqual(drawn, ["baseline": [0, 1, 2, 3], "up": [0, 1, 2, 3], "far": [0, 1, 2, 3]], "points of \(metric) in the DOM")
        }
        let countRx = try NSRegularExpression(pattern: #"<circle class="pt""#)
        XCTAssertEqual(countRx.numberOfMatches(in: dom, range: NSRange(dom.startIndex..., in: dom)), 2 * 3 * 4, "one point per replicate, condition and metric")
        XCTAssertTrue(dom.contains("data-hypothesis=\"rises\""))
        XCTAssertTrue(FileManager.default.fileExists(atPath: netLog), "chromium wrote no net log")
        XCTAssertEqual(Chromium.pageRequests(netLog: netLog), [], "requests that would leave the machine")
        // The same check on a page that does fetch something finds it: the net log does see page requests.
        let leaky = "\(profile)/leaky.html"
        Harness.write(leaky, "<!DOCTYPE html><html><body><img src=\"http://report-test.invalid/pixel.png\"></body></html>")
        let leakyLog = "\(profile)/leaky-netlog.json"
        try Chromium.run(["--log-net-log=\(leakyLog)", "--dump-dom", "file://\(leaky)"], profile: profile)
        XCTAssertEqual(Chromium.pageRequests(netLog: leakyLog), ["http://report-test.invalid/pixel.png"], "the control page's request is seen")

        let shot = "\(profile)/report.png"
        try Chromium.run(["--screenshot=\(shot)", "--window-size=1100,1400", "file://\(path)"], profile: profile)
        let png = try XCTUnwrap(FileManager.default.contents(atPath: shot), "no screenshot written")
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG")
        XCTAssertGreaterThan(png.count, 20_000, "a blank page compresses far smaller than a page with plots and tables")
        // Dark mode: the same page with the system asking for dark renders differently.
        let darkShot = "\(profile)/report-dark.png"
        try Chromium.run(["--blink-settings=preferredColorScheme=0", "--screenshot=\(darkShot)", "--window-size=1100,1400", "file://\(path)"], profile: profile)
        let dark = try XCTUnwrap(FileManager.default.contents(atPath: darkShot), "no dark screenshot written")
        XCTAssertNotEqual(dark, png, "prefers-color-scheme: dark changes the rendering")
    }

    func testReportHoldsHypothesesFailuresProvenanceAndAnOutputPathOfOnesChoice() throws {
        let fx = ExperimentFixture("report-content")
        let exp = fx.experiment("flaky", """
        name: flaky
        replicates: 5
        seed: 3
        datasource: numbers
        steps:
          - add_delta
          - step: c_crash
            params: {mode: error, on_replicate: 2}
          - record_metric
        treatments:
          up: {delta: 4.0}
        hypotheses:
          - name: rises
            verifier: bootstrap_ci
            metrics: total
        """)
        XCTAssertEqual(fx.run(exp).status, 1, "replicate 2 fails in both conditions")
        let out = "\(fx.dir)/elsewhere/flaky.html"
        let r = fx.host(["report", "flaky", "-o", out])
        XCTAssertEqual(r.status, 0, r.output)
        let html = Harness.read(out)
        // Failures: both conditions of replicate 2, with step and message.
        let rows = html.components(separatedBy: "<tr class=\"failure\">").dropFirst()
        XCTAssertEqual(rows.count, 2, "one failure row per failed (replicate, condition)")
        for row in rows {
            XCTAssertTrue(row.hasPrefix("<td class=\"num\">2</td>"), row)
            XCTAssertTrue(row.contains("<code>c_crash</code>"), row)
        }
        // Points: the four replicates that succeeded.
        XCTAssertEqual(points(html, metric: "total"), ["baseline": [0, 1, 3, 4], "up": [0, 1, 3, 4]])
        // Hypothesis: verifier, p-value, and the verifier's own interval.
        let prov = fx.object("\(fx.version("flaky"))/provenance.json")
        let h = try XCTUnwrap((prov["hypotheses"] as? [[String: Any]])?.first)
        let res = try XCTUnwrap((h["results"] as? [String: [String: Any]])?["up"])
        XCTAssertTrue(html.contains("<code>bootstrap_ci</code>"))
        XCTAssertTrue(html.contains("(mean difference; verifier&#39;s interval)"))
        XCTAssertTrue(html.contains(String(format: "%.4f", try XCTUnwrap(res["ci_low"] as? Double))), "the verifier's interval is shown")
        // Provenance: each plugin's sha256, the config hash, the seed.
        for p in try XCTUnwrap(prov["plugins"] as? [[String: Any]]) { XCTAssertTrue(html.contains(try XCTUnwrap(p["sha256"] as? String))) }
        XCTAssertTrue(html.contains(try XCTUnwrap((prov["config"] as? [String: Any])?["sha256"] as? String)))
        XCTAssertTrue(html.contains("<tr><th>seed</th><td>3</td></tr>"))
        XCTAssertTrue(html.contains("not in a git repository"), "a temporary folder is no repository")
        // Bad references say what is wrong and exit 2.
        let bad = fx.host(["report", "nosuch"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("no stored runs of 'nosuch'"), bad.output)
    }

    func testTimelineFromTheEventLogARunWrote() throws {
        let fx = ExperimentFixture("report-timeline")
        let exp = fx.experiment("small", Self.small)
        XCTAssertEqual(fx.run(exp, ["--events", "events.jsonl"]).status, 0)
        XCTAssertEqual(fx.host(["report", "small"]).status, 0)
        XCTAssertTrue(Harness.read("\(fx.version("small"))/report.html").contains("No per-replicate timings"), "without the log there is no timeline, and the page says how to get one")
        let r = fx.host(["report", "small", "--events", "events.jsonl"])
        XCTAssertEqual(r.status, 0, r.output)
        let html = Harness.read("\(fx.version("small"))/report.html")
        XCTAssertTrue(html.contains("<svg class=\"timeline\""))
        XCTAssertEqual(html.components(separatedBy: "<rect class=\"span\"").count - 1, 4 * 3, "one bar per (replicate, condition)")
        XCTAssertTrue(html.contains("random streams</th><td>common"), "the stream rule is in the provenance")
        let missing = fx.host(["report", "small", "--events", "nope.jsonl"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("event log nope.jsonl cannot be read"), missing.output)
    }

    func testReportOfAConsumerDrawsItsGraph() throws {
        let g = GraphFixture("report-dag")
        _ = g.run()
        let r = g.host(["report", "consumer"])
        XCTAssertEqual(r.status, 0, r.output)
        let html = Harness.read("\(g.dir)/data/consumer/v0/report.html")
        XCTAssertTrue(html.contains("<svg class=\"dag\""), "a consumer's report draws the DAG")
        XCTAssertTrue(html.contains(">producer v0</text>"), "the upstream and the version read are named")
        XCTAssertTrue(html.contains("marker-end=\"url(#arrow)\""))
    }
}
