@testable import CrystallizeRuntime
import XCTest

/// Pieces of the HTML report that need no run: large samples summarised, the timeline from an
/// event log, escaping, intervals.
final class ReportRenderingTests: XCTestCase {
    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    func testSmallSamplesDrawEveryPointLargeOnesASummaryAndSaySo() {
        let small = SvgMetricPlot(metric: "m", columns: [("baseline", (0..<10).map { ($0, Double($0)) }), ("t", (0..<7).map { ($0, Double($0) * 2) })])
        let s = small.render()
        XCTAssertFalse(small.summarised)
        XCTAssertEqual(count("<circle class=\"pt\"", in: s), 17)
        XCTAssertEqual(count("<rect class=\"bin\"", in: s), 0)
        let n = SvgMetricPlot.pointLimit + 1
        let big = SvgMetricPlot(metric: "m", columns: [("baseline", (0..<n).map { ($0, sin(Double($0))) }), ("t", (0..<5).map { ($0, Double($0)) })])
        let b = big.render()
        XCTAssertTrue(big.summarised)
        XCTAssertEqual(count("<circle class=\"pt\" data-condition=\"baseline\"", in: b), 0, "no point per value above the limit")
        XCTAssertEqual(count("<circle class=\"pt\" data-condition=\"t\"", in: b), 5, "a small condition beside it keeps its points")
        XCTAssertGreaterThan(count("<rect class=\"bin\"", in: b), 5)
        XCTAssertLessThan(b.utf8.count, 40_000, "a summarised plot stays small")
        XCTAssertTrue(b.contains("n = \(n)"))
    }

    func testTimelineComesFromTheRunsEventLog() throws {
        let dir = NSTemporaryDirectory() + "report-timeline-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let lines = [
            RunEvent.replicateStarted(experiment: "e", replicate: 0, condition: "baseline").json(time: 100),
            RunEvent.replicateFinished(experiment: "e", replicate: 0, condition: "baseline", durationS: 0.5, succeeded: true).json(time: 100.5),
            RunEvent.replicateFinished(experiment: "e", replicate: 1, condition: "baseline", durationS: 1.0, succeeded: false).json(time: 101.5),
            "{\"event\": \"replicate_fini",  // cut short by a crash: skipped
            RunEvent.replicateFinished(experiment: "e", replicate: 0, condition: "t", durationS: 0.25, succeeded: true).json(time: 101.75),
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(dir)/events.jsonl", atomically: true, encoding: .utf8)
        let other = RunEvent.runStarted(RunStarted(experiment: "e", version: 9, replicates: 1, conditions: ["baseline"], steps: [], pending: 1, execution: "serial", strategy: "rerun")).json(time: 200)
        let later = RunEvent.replicateFinished(experiment: "e", replicate: 5, condition: "baseline", durationS: 1, succeeded: true).json(time: 201)
        try ([other, later].joined(separator: "\n") + "\n").write(toFile: "\(dir)/other-run.log", atomically: true, encoding: .utf8)
        let timings = RunEventLog.timings(files: RunEventLog.files(versionDirectory: dir) + ["\(dir)/other-run.log"], experiment: "e", version: 0)
        XCTAssertEqual(timings.map(\.replicate), [0, 1, 0], "events of another run (v9) are not this run's")
        XCTAssertEqual(timings.map(\.condition), ["baseline", "baseline", "t"])
        XCTAssertEqual(timings.map(\.succeeded), [true, false, true])
        let svg = SvgTimeline.render(timings, conditions: ["baseline", "t"])
        XCTAssertEqual(count("<rect class=\"span", in: svg), 3)
        XCTAssertEqual(count("<rect class=\"span failed\"", in: svg), 1)
        XCTAssertTrue(svg.contains("seconds since the first replicate started"))
    }

    func testMetricsWithoutNumbersAreNamedNotPlotted() {
        let rows = (0..<3).map { r in
            StoredRun.MetricRow(replicate: r, condition: "baseline", metrics: ["score": [.double(Double(r))], "label": [.string("x\(r)")]])
        }
        let run = StoredRun(experiment: "e", version: 0, directory: NSTemporaryDirectory() + "nowhere/e/v0", metadata: ["status": .string("complete"), "replicates": .int(3)],
                            provenance: [:], conditions: ["baseline"], metricNames: ["score", "label"], rows: rows, failures: [], hypotheses: [],
                            git: nil, timings: [], source: "journal")
        let html = HtmlReport.render(run)
        XCTAssertEqual(count("<svg class=\"plot\"", in: html), 1)
        XCTAssertTrue(html.contains("data-metric=\"score\""))
        XCTAssertTrue(html.contains("Not plotted (no numeric values): label"))
        XCTAssertEqual(count("<circle class=\"pt\"", in: html), 3)
    }

    func testNamesFromARunAreEscaped() {
        let s = SvgMetricPlot(metric: "<script>alert(1)</script>", columns: [("a\"b", [(0, 1)])]).render()
        XCTAssertFalse(s.contains("<script>"))
        XCTAssertTrue(s.contains("&lt;script&gt;"))
        XCTAssertTrue(s.contains("data-condition=\"a&quot;b\""))
    }

    func testIntervalsMatchStudentT() {
        XCTAssertEqual(MetricStats.tQuantile975(degreesOfFreedom: 1), 12.7062, accuracy: 1e-3)
        XCTAssertEqual(MetricStats.tQuantile975(degreesOfFreedom: 10), 2.2281, accuracy: 1e-3)
        let st = MetricStats([1, 2, 3, 4, 5])
        XCTAssertEqual(st.median, 3)
        XCTAssertEqual(st.q1, 2)
        XCTAssertEqual(st.ciLow, 3 - 2.7764 * st.sd / 5.0.squareRoot(), accuracy: 1e-3)
    }

    func testDashboardPathRefusesEveryWayOut() throws {
        for bad in ["/..", "/a/../b", "/%2e%2e/x", "/a/%2E%2E", "/a%2fb", "/a%5c..", "/.hidden", "/a/%00", "/%zz"] {
            XCTAssertThrowsError(try DashboardPath.segments(bad), bad) { e in
                XCTAssertEqual((e as? DashboardPath.Refusal)?.status, 400, bad)
            }
        }
        XCTAssertEqual(try DashboardPath.segments("/runs/my%20exp/v0"), ["runs", "my exp", "v0"])
    }
}
