import CrystallizeRuntime
import Foundation
import XCTest

/// `run --events`: the engine's event stream as JSON lines, the same under every execution
/// strategy (worker processes and plugin run loops send theirs to the parent), and step logs
/// in the run's `steps.log`.
final class RunEventsTests: XCTestCase {
    let f = ExperimentFixture("events")

    override func setUp() {
        f.experiment("ev", """
        name: ev
        replicates: 3
        datasource: c_range
        steps:
          - c_add
          - step: c_log
            params: {message: "said", level: 2}
        treatments:
          more: {amount: 5}
        """)
    }

    /// The events of `run ev --events - <extra>`, parsed back; a test failure for any line
    /// that is not an event.
    func events(_ extra: [String], file: StaticString = #filePath, line: UInt = #line) -> [RunEvent] {
        let r = f.host(["run", "experiments/ev", "--no-cache", "--events", "-"] + extra)
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        XCTAssertTrue(r.stderr.contains("ev"), "the summary goes to stderr when events take stdout: \(r.output)", file: file, line: line)
        return r.stdout.split(separator: "\n").compactMap { l in
            guard let e = RunEvent(json: String(l)) else { XCTFail("not an event line: \(l)", file: file, line: line); return nil }
            return e
        }
    }

    /// The events with durations and times zeroed, in an order that does not depend on scheduling:
    /// run_started, then each (replicate, condition)'s own events in order, then run_finished.
    func shape(_ events: [RunEvent]) -> [String] {
        var perCondition: [String: [String]] = [:]
        var outer: [String] = []
        for e in events {
            switch e {
            case let .replicateStarted(_, r, c), let .stepStarted(_, r, c, _):
                perCondition["\(r) \(c)", default: []].append(describe(e))
            case let .stepFinished(_, r, c, _, _, _), let .replicateFinished(_, r, c, _, _), let .failure(_, r, c, _, _):
                perCondition["\(r) \(c)", default: []].append(describe(e))
            case let .log(_, r?, c?, _, _, _):
                perCondition["\(r) \(c)", default: []].append(describe(e))
            default:
                outer.append(describe(e))
            }
        }
        return [outer.first ?? ""] + perCondition.keys.sorted().flatMap { perCondition[$0]! } + outer.dropFirst()
    }

    func describe(_ e: RunEvent) -> String {
        switch e {
        case .runStarted(let s): return "run_started \(s.experiment) r\(s.replicates) \(s.conditions) \(s.steps) pending \(s.pending)"
        case let .replicateStarted(_, r, c): return "replicate_started \(r) \(c)"
        case let .stepStarted(_, r, c, s): return "step_started \(r) \(c) \(s)"
        case let .stepFinished(_, r, c, s, d, hit): return "step_finished \(r) \(c) \(s) hit=\(hit) timed=\(d >= 0)"
        case let .replicateFinished(_, r, c, d, ok): return "replicate_finished \(r) \(c) ok=\(ok) timed=\(d >= 0)"
        case let .log(_, r, c, s, level, m): return "log \(r ?? -1) \(c ?? "") \(s ?? "") \(level.label) \(m)"
        case let .failure(_, r, c, s, m): return "failure \(r) \(c) \(s) \(m)"
        case let .progress(_, m): return "progress \(m)"
        case let .runFinished(e, v, status, _): return "run_finished \(e) v\(v) \(status)"
        }
    }

    var expected: [String] {
        var lines = ["run_started ev r3 [\"baseline\", \"more\"] [\"c_range\", \"c_add\", \"c_log\"] pending 6"]
        for r in 0..<3 {
            for c in ["baseline", "more"] {
                lines.append("replicate_started \(r) \(c)")
                for s in ["c_range", "c_add"] { lines += ["step_started \(r) \(c) \(s)", "step_finished \(r) \(c) \(s) hit=false timed=true"] }
                lines += ["step_started \(r) \(c) c_log", "log \(r) \(c) c_log warning said r\(r)",
                          "step_finished \(r) \(c) c_log hit=false timed=true", "replicate_finished \(r) \(c) ok=true timed=true"]
            }
        }
        return lines + ["run_finished ev v0 complete"]
    }

    func testSerialRunWritesTheExpectedSequence() {
        let events = events([])
        // Serial: the stream itself is in this order, not only once sorted.
        XCTAssertEqual(events.map(describe), expected)
    }

    func testProcessesSendTheirEventsToTheParent() {
        XCTAssertEqual(shape(events(["--execution", "processes", "--workers", "2"])), expected)
    }

    func testThreadsAndAPluginLoopOfOneShotWorkersGiveTheSameEvents() {
        XCTAssertEqual(shape(events(["--execution", "threads", "--workers", "2"])), expected)
        let loop = shape(events(["--execution", "c_workers"]))
        XCTAssertEqual(loop.filter { !$0.hasPrefix("progress") }, expected, "events of one-shot workers reach the parent")
    }

    func testStepLogsGoToTheRunsLogFile() {
        for (i, execution) in ["serial", "processes", "c_workers"].enumerated() {
            let r = f.run("experiments/ev", ["--no-cache", "--execution", execution, "--data-dir", "d\(i)"])
            XCTAssertEqual(r.status, 0, r.output)
            let log = Harness.read("\(f.dir)/d\(i)/ev/v0/steps.log").split(separator: "\n")
            XCTAssertEqual(log.count, 6, "\(execution): \(log)")
            for r in 0..<3 {
                for c in ["baseline", "more"] {
                    XCTAssertEqual(log.filter { $0.hasSuffix(" warning [c_log r\(r) \(c)] said r\(r)") }.count, 1, "\(execution): \(log)")
                }
            }
        }
    }

    func testEventsFileAndItsErrors() {
        let r = f.run("experiments/ev", ["--events", "events.jsonl"])
        XCTAssertEqual(r.status, 0, r.output)
        let lines = Harness.read("\(f.dir)/events.jsonl").split(separator: "\n")
        XCTAssertEqual(lines.first.flatMap { RunEvent(json: String($0)) }?.name, "run_started")
        XCTAssertEqual(lines.last.flatMap { RunEvent(json: String($0)) }?.name, "run_finished")
        XCTAssertTrue(lines.allSatisfy { RunEvent(json: String($0)) != nil })

        let bad = f.run("experiments/ev", ["--events", "no/such/folder/e.jsonl", "--data-dir", "bad"])
        XCTAssertEqual(bad.status, 2, bad.output)
        XCTAssertTrue(bad.stderr.contains("--events no/such/folder/e.jsonl: cannot create the file"), bad.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.dir)/bad"), "nothing ran")
    }

    func testAFailureIsAnEventAndRunsWithoutEventsWriteTheSameResults() {
        f.experiment("fails", """
        name: fails
        replicates: 2
        datasource: c_range
        steps:
          - step: c_crash
            params: {mode: error, on_replicate: 1}
        """)
        let r = f.host(["run", "experiments/fails", "--events", "-", "--execution", "processes"])
        XCTAssertEqual(r.status, 1, r.output)
        let events = r.stdout.split(separator: "\n").compactMap { RunEvent(json: String($0)) }.map(describe)
        XCTAssertEqual(events.filter { $0.hasPrefix("failure") }.count, 1, "\(events)")
        XCTAssertTrue(events.contains("replicate_finished 1 baseline ok=false timed=true"), "\(events)")
        XCTAssertEqual(events.last, "run_finished fails v0 failed")

        // Watching a run changes nothing it writes.
        XCTAssertEqual(f.run("experiments/ev", ["--data-dir", "watched", "--events", "w.jsonl"]).status, 0)
        XCTAssertEqual(f.run("experiments/ev", ["--data-dir", "unwatched"]).status, 0)
        for c in ["baseline", "more"] {
            XCTAssertEqual(Harness.read("\(f.dir)/watched/ev/v0/\(c)/results.json"), Harness.read("\(f.dir)/unwatched/ev/v0/\(c)/results.json"))
        }
    }
}
