import Foundation
import XCTest

/// The run screen driven end to end in a real terminal (tmux): keys sent, the screen read back.
/// Needs CRYSTALLIZE_TEST_TMUX (exported by .ci/setup.d/60-tmux.sh); skipped without it.
final class RunScreenTmuxTests: XCTestCase {
    var f: ExperimentFixture!
    var panes: [TmuxPane] = []

    override func setUpWithError() throws {
        _ = try TmuxPane.requireTmux()
        f = ExperimentFixture("tmux")
        f.experiment("demo", """
        name: demo
        replicates: 3
        datasource: numbers
        steps: [add_delta, record_metric]
        treatments:
          add_ten: {delta: 10}
        hypotheses:
          - {name: total_increases, verifier: welch_t_test, metrics: total}
        """)
    }

    override func tearDown() {
        for p in panes { p.close() }
        panes = []
    }

    /// A pane running the host with `arguments` in the fixture folder.
    func pane(_ arguments: [String], columns: Int = 100, rows: Int = 30, environment: [String: String] = [:],
              unset: [String] = []) throws -> TmuxPane {
        let p = try TmuxPane(arguments, in: f.dir, columns: columns, rows: rows, environment: environment, unset: unset)
        panes.append(p)
        return p
    }

    /// The folder rt_gate watches: a run holds at the gate until the test creates `open` there.
    func gateFolder() throws -> String {
        let gate = "\(f.dir)/gate"
        try FileManager.default.createDirectory(atPath: gate, withIntermediateDirectories: true)
        return gate
    }

    /// `q`, then the host's exit status and the terminal settings as before.
    func quit(_ p: TmuxPane, expect status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) {
        p.send("q")
        XCTAssertEqual(p.exitStatus(file: file, line: line), status, p.screen(), file: file, line: line)
        XCTAssertFalse(p.sttyBefore.isEmpty, "stty -g recorded nothing", file: file, line: line)
        XCTAssertEqual(p.sttyAfter, p.sttyBefore, "terminal settings differ after the host exited", file: file, line: line)
    }

    func testSelectionScreenListsExperimentsWithTheirLastRun() throws {
        f.experiment("other", """
        name: other
        replicates: 2
        datasource: c_range
        steps: [c_add]
        """)
        XCTAssertEqual(f.run("experiments/other").status, 0)
        // Stamps have whole seconds: a sub-second run may cross one; make it the same second.
        let metadata = "\(f.dir)/data/other/v0/metadata.json"
        var meta = try XCTUnwrap(Harness.json(metadata) as? [String: Any])
        meta["finished"] = meta["started"]
        try JSONSerialization.data(withJSONObject: meta).write(to: URL(fileURLWithPath: metadata))
        let p = try pane(["ui"])
        let list = p.waitFor("both experiments") { $0.contains("demo") && $0.contains("other") }
        XCTAssertTrue(list.contains("never run"), list)
        XCTAssertTrue(list.contains("complete (v0)"), list)
        XCTAssertTrue(list.contains("<1s"), "the last run's duration: \(list)")
        XCTAssertTrue(list.contains("add_ten"), "treatments are listed: \(list)")
        // Enter opens the run screen of the selected experiment (the first, demo); q goes back.
        p.send("Enter")
        p.waitFor("replicate 0/3")
        p.send("q")
        p.waitFor("never run")
        quit(p)
    }

    func testRunUICountsLiveFromEventsReachesNOfNAndShowsTheSummary() throws {
        let gate = try gateFolder()
        f.experiment("gated", """
        name: gated
        replicates: 3
        datasource: numbers
        steps:
          - rt_gate: {dir: "\(gate)", hold_from: 1}
          - add_delta
          - record_metric
        treatments:
          add_ten: {delta: 10}
        hypotheses:
          - {name: total_increases, verifier: welch_t_test, metrics: total}
        """)
        let p = try pane(["run", "experiments/gated", "--ui"])
        // Replicate 0 passes, replicate 1 waits at the gate: the screen shows the run under way,
        // one replicate of three done, and where the next one is, which it can know only from
        // the events (nothing of replicate 1 is stored yet).
        let waiting = p.waitFor("the second replicate at the gate") {
            $0.contains("replicate 1/3") && $0.contains("running") && $0.contains("▶ rt_gate") && $0.contains("▶ baseline")
        }
        XCTAssertTrue(waiting.contains("strategy resume"), waiting)
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(gate)/open", contents: nil))
        // The header and the tree follow different events: wait for both to show the end.
        p.waitFor("the run to finish") { $0.contains("replicate 3/3") && $0.contains("complete") && $0.contains("✓ baseline") }
        p.send("S")
        let summary = p.waitFor("the summary's metrics") { $0.contains("mean") && $0.contains("best: add_ten") }
        for text in ["condition  metric  n  mean", "baseline   total   3", "add_ten    total   3", "hypothesis total_increases", "p_value",
                     "effect (95% CI)", "+30 ["] {
            XCTAssertTrue(summary.contains(text), "'\(text)' missing:\n\(summary)")
        }
        quit(p)
        // Back on the ordinary screen, the run's summary is printed.
        XCTAssertTrue(p.screen().contains("best:"), p.screen())
    }

    func testASwitchedOffTreatmentIsSkippedByTheNextRunAndByLaterPlainRuns() throws {
        let p = try pane(["run", "experiments/demo", "--ui"])
        p.waitFor("the first run") { $0.contains("replicate 3/3") && $0.contains("complete") }
        // Rows: demo, baseline, add_ten, numbers, add_delta, record_metric.
        p.send("Down"); p.send("Down"); p.send("x")
        p.waitFor("treatment add_ten off")
        XCTAssertTrue(Harness.read("\(f.dir)/experiments/demo/.crystallize-toggles.json").contains("add_ten"))
        p.send("R")
        p.waitFor("the run without add_ten") { $0.contains("finished: S shows the summary") && $0.contains("baseline only") }
        p.send("S")
        let summary = p.waitFor("toggles: treatment add_ten off")
        XCTAssertTrue(summary.contains("baseline   total   3"), summary)
        XCTAssertFalse(summary.contains("add_ten    total"), "add_ten still ran: \(summary)")
        quit(p)

        let plain = f.host(["run", "experiments/demo"])
        XCTAssertEqual(plain.status, 0, plain.output)
        XCTAssertTrue(plain.stdout.contains("toggles: treatment add_ten off"), plain.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(f.version("demo"))/add_ten/results.json"), "a plain run ran add_ten")
        let reset = f.host(["run", "experiments/demo", "--reset-toggles"])
        XCTAssertEqual(reset.status, 0, reset.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(f.version("demo"))/add_ten/results.json"), "--reset-toggles: \(reset.output)")
    }

    func testCacheToggleAndTheEditorAtTheLine() throws {
        let editor = "\(f.dir)/fake-editor.sh"
        Harness.write(editor, "#!/bin/sh\necho \"$@\" > \"\(f.dir)/edited.txt\"\n")
        chmod(editor, 0o755)
        let p = try pane(["run", "experiments/demo", "--ui"], environment: ["EDITOR": editor])
        p.waitFor("the first run") { $0.contains("replicate 3/3") && $0.contains("complete") }
        XCTAssertTrue(p.screen().contains("add_delta 🔒"), "a cacheable step shows its lock: \(p.screen())")
        for _ in 0..<4 { p.send("Down") }
        p.send("l")
        let off = p.waitFor("cache of add_delta off")
        XCTAssertTrue(off.contains("strategy rerun"), "with a step's cache off the next run reruns: \(off)")
        XCTAssertTrue(Harness.read("\(f.dir)/experiments/demo/.crystallize-toggles.json").contains("add_delta"))
        // Up to add_ten, whose line in config.yaml is 6.
        p.send("Up"); p.send("Up"); p.send("e")
        p.waitFor("edited ")
        XCTAssertEqual(Harness.read("\(f.dir)/edited.txt").trimmingCharacters(in: .whitespacesAndNewlines),
                       "+6 \(f.dir)/experiments/demo/config.yaml")
        quit(p)
        let plain = f.host(["run", "experiments/demo"])
        XCTAssertTrue(plain.stdout.contains("cache of add_delta off"), plain.output)
    }

    func testErrorsAndLogsTabs() throws {
        f.experiment("shaky", """
        name: shaky
        replicates: 3
        datasource: c_range
        steps:
          - step: c_log
            params: {message: "hello", level: 1}
          - step: c_crash
            params: {mode: error, on_replicate: 1}
        """)
        let p = try pane(["run", "experiments/shaky", "--ui"])
        p.waitFor("the failed run") { $0.contains("failed") && !$0.contains("running") }
        p.send("E")
        // The Logs tab also shows the message: wait for the Errors tab's own line.
        p.waitFor("the Errors tab") { $0.contains("r1  baseline  c_crash: c_crash was asked to fail") && $0.contains("Errors(1)") }
        p.send("L")
        let logs = p.waitFor("hello r2")
        XCTAssertTrue(logs.contains("INF [c_log r0 baseline] hello r0"), logs)
        p.send("f"); p.send("f")
        let filtered = p.waitFor("logs: warning and above")
        XCTAssertFalse(filtered.contains("hello r0"), "info lines are filtered out: \(filtered)")
        XCTAssertTrue(filtered.contains("c_crash was asked to fail"), filtered)
        quit(p)
    }

    func testPlainASCIIWithoutAUTF8LocaleAndNoColour() throws {
        let p = try pane(["run", "experiments/demo", "--ui"], environment: ["LANG": "C", "LC_ALL": "C", "NO_COLOR": "1"])
        let screen = p.waitFor("the run") { $0.contains("replicate 3/3") && $0.contains("complete") }
        XCTAssertTrue(screen.unicodeScalars.allSatisfy(\.isASCII), "non-ASCII on a C-locale screen:\n\(screen)")
        XCTAssertTrue(screen.contains(" | replicate 3/3 | ") && screen.contains("up/down"), screen)
        let escapes = p.screen(escapes: true)
        for colour in [31, 32, 33, 36] { XCTAssertFalse(escapes.contains("\u{1B}[\(colour)m"), "colour \(colour) with NO_COLOR set") }
        quit(p)
        // The same screen under UTF-8 with colours: the checks above can fail.
        let coloured = try pane(["run", "experiments/demo", "--ui", "--strategy", "rerun"])
        let fancy = coloured.waitFor("the run") { $0.contains("replicate 3/3") && $0.contains("complete") }
        XCTAssertTrue(fancy.contains("│") && fancy.contains("✓"), fancy)
        XCTAssertTrue(coloured.screen(escapes: true).contains("\u{1B}[32m"), "no green without NO_COLOR")
        quit(coloured)
    }

    func testUsableAt80x24AndRedrawnOnResize() throws {
        let p = try pane(["run", "experiments/demo", "--ui"], columns: 80, rows: 24)
        let small = p.waitFor("the run") { $0.contains("replicate 3/3") && $0.contains("complete") }
        let rows = small.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertTrue(rows.allSatisfy { $0.count <= 80 }, small)
        XCTAssertTrue(rows.count >= 24 && rows[23].contains("q quit") && rows[23].contains("x treatment"), "the keys on the last row:\n\(small)")
        XCTAssertTrue(rows[0].contains("demo v0 │ replicate 3/3 │ complete"), rows[0])
        try p.resize(columns: 120, rows: 40)
        p.waitFor("a redraw at 120x40") { screen in
            let r = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return r.count >= 40 && r[39].contains("↑↓ move") && r[39].contains("q quit")
        }
        try p.resize(columns: 60, rows: 20)
        p.waitFor("a redraw at 60x20") { screen in
            let r = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return r.count >= 20 && r[19].hasPrefix("R run/stop") && r.allSatisfy { $0.count <= 60 }
        }
        quit(p)
    }

    func testTheTerminalIsRestoredAfterACrashInAStepAndAfterSIGTERM() throws {
        f.experiment("crashy", """
        name: crashy
        replicates: 2
        datasource: c_range
        steps:
          - step: c_crash
            params: {mode: segv, on_replicate: 1}
        """)
        let p = try pane(["run", "experiments/crashy", "--ui"])
        // The step crashes the host itself (serial runs in process): it dies of SIGSEGV.
        XCTAssertEqual(p.exitStatus(), 128 + SIGSEGV, p.screen())
        XCTAssertEqual(p.sttyAfter, p.sttyBefore, "terminal settings after the crash")
        XCTAssertEqual(try p.run(["display-message", "-p", "-t", "t", "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines), "0")

        let gate = try gateFolder()
        f.experiment("held", """
        name: held
        datasource: c_range
        steps:
          - rt_gate: {dir: "\(gate)"}
        """)
        let held = try pane(["run", "experiments/held", "--ui"])
        held.waitFor("the held run") { $0.contains("▶ rt_gate") }
        guard let pid = held.hostPid() else { return XCTFail("no pid recorded") }
        kill(pid, SIGTERM)
        XCTAssertEqual(held.exitStatus(), 128 + SIGTERM, held.screen())
        XCTAssertEqual(held.sttyAfter, held.sttyBefore, "terminal settings after SIGTERM")
        XCTAssertEqual(try held.run(["display-message", "-p", "-t", "t", "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }

    func testAKilledWorkerIsAnErrorOnTheScreenAndQuitStillRestores() throws {
        f.experiment("crashy", """
        name: crashy
        replicates: 3
        datasource: c_range
        steps:
          - step: c_crash
            params: {mode: segv, on_replicate: 1}
        """)
        let p = try pane(["run", "experiments/crashy", "--ui", "--execution", "processes", "-j", "2"])
        p.waitFor("the failed run") { $0.contains("failed") && !$0.contains("running") }
        p.send("E")
        p.waitFor("the dead worker's replicate") { $0.contains("r1  baseline") && $0.contains("Errors(1)") }
        quit(p)
    }

    func testProgressMessagesOfAPluginRunLoopAppear() throws {
        let p = try pane(["run", "experiments/demo", "--ui", "--execution", "c_reverse"])
        let screen = p.waitFor("the loop's progress message") { $0.contains("c_reverse done") }
        XCTAssertTrue(screen.contains("c_reverse"), screen)
        p.waitFor("the run") { $0.contains("replicate 3/3") && $0.contains("complete") }
        quit(p)
    }

    func testCtrlCCancelsAndASecondOneLeavesWithTheTerminalRestored() throws {
        let gate = try gateFolder()
        f.experiment("held", """
        name: held
        replicates: 2
        datasource: c_range
        steps:
          - rt_gate: {dir: "\(gate)"}
        """)
        let p = try pane(["run", "experiments/held", "--ui"])
        p.waitFor("the held run") { $0.contains("▶ rt_gate") }
        p.send("C-c")
        p.waitFor("cancelling: waiting for the running replicates")
        p.send("C-c")
        XCTAssertEqual(p.exitStatus(), 130, p.screen())
        XCTAssertEqual(p.sttyAfter, p.sttyBefore, "terminal settings after Ctrl-C")
        XCTAssertEqual(try p.run(["display-message", "-p", "-t", "t", "#{alternate_on}"]).trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }

    func testAGraphIsListedAndItsRunScreenShowsEveryExperimentInOrder() throws {
        let g = GraphFixture("tmux-graph")
        let p = try TmuxPane(["ui"], in: g.dir)
        panes.append(p)
        let list = p.waitFor("graph (producer → consumer)")
        XCTAssertTrue(list.contains("producer  experiment"), list)
        // consumer is listed first; Enter opens its run screen, R runs the graph.
        p.send("Enter")
        p.waitFor("the graph's tree") { $0.contains("▾ producer") && $0.contains("▾ consumer") }
        p.send("R")
        // The tree rows and the header follow different events: wait for the whole final state.
        let done = p.waitFor("both experiments complete") { screen in
            let rows = screen.split(separator: "\n").map(String.init)
            return rows.contains { $0.hasPrefix("▾ producer") && $0.contains("complete") }
                && rows.contains { $0.hasPrefix("▾ consumer") && $0.contains("complete") }
                && screen.contains("consumer v0 │ replicate 6/6 │ complete")
        }
        let rows = done.split(separator: "\n").map(String.init)
        let producer = rows.firstIndex { $0.hasPrefix("▾ producer") }!, consumer = rows.firstIndex { $0.hasPrefix("▾ consumer") }!
        XCTAssertLessThan(producer, consumer, "upstream first:\n\(done)")
        p.send("q")
        p.waitFor("complete (v0)")
        quit(p)
    }
}
