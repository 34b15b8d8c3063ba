import ChildProcesses
import Foundation
import XCTest

/// The real host in a real terminal: a tmux server of its own (private socket), one pane
/// running `crystallize-host <arguments>` in a fixture folder, keys sent and the screen read
/// back. The pane's shell records the terminal settings (`stty -g`) before and after the host
/// and the host's exit status, in files, so a test waits for them instead of sleeping.
///
/// Runs only where CI's setup step exported CRYSTALLIZE_TEST_TMUX (the tmux to use).
final class TmuxPane {
    /// tmux, as .ci/setup.d/60-tmux.sh found or installed it.
    static var tmux: String? { ProcessInfo.processInfo.environment["CRYSTALLIZE_TEST_TMUX"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Skips the calling test when tmux is not set up for the suite.
    static func requireTmux() throws -> String {
        guard let t = tmux else { throw XCTSkip("CRYSTALLIZE_TEST_TMUX is not set (.ci/setup.d/60-tmux.sh exports it)") }
        return t
    }

    let tmux: String
    let socket = "crys-\(UUID().uuidString.prefix(12))"
    /// Where the pane's shell leaves its records.
    let records: String

    /// A pane of `columns`×`rows` running the host with the test plugins and `arguments` in
    /// `directory`, under the locale and variables of `environment` (LANG and LC_ALL default
    /// to C.UTF-8, so an empty LC_ALL of the test process never decides the screen's glyphs;
    /// NO_COLOR is unset unless given), without the variables named in `unset`.
    init(_ arguments: [String], in directory: String, columns: Int = 100, rows: Int = 30,
         environment: [String: String] = [:], unset: [String] = []) throws {
        tmux = try Self.requireTmux()
        records = "\(directory)/.tmux-\(socket)"
        try FileManager.default.createDirectory(atPath: records, withIntermediateDirectories: true)
        // No status bar: the pane is the whole window. The pane stays after the shell ends,
        // so its last screen can still be read.
        Harness.write("\(records)/tmux.conf", "set -g status off\nset -g remain-on-exit on\nset -g history-limit 5000\n")
        var env = ["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "CRYSTALLIZE_CACHE_DIR": "\(directory)/.cache"]
        for (k, v) in environment { env[k] = v }
        let plugins = ["--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("CTestPlugin"),
                       "--plugin", Harness.plugin("ReliabilityTestPlugin")]
        let host = ([Harness.host] + plugins + arguments).map(Self.quote).joined(separator: " ")
        // `swift test` runs tests with NO_COLOR=1 set; the screen's colours are asked for per pane.
        let removed = (unset + (environment["NO_COLOR"] == nil ? ["NO_COLOR"] : [])).map { "-u \(Self.quote($0))" }
        let envArgs = removed + env.sorted { $0.key < $1.key }.map { Self.quote("\($0.key)=\($0.value)") }
        let r = Self.quote(records)
        // The host runs as a child of a shell that records its pid first, so a test can signal it.
        let script = "cd \(Self.quote(directory)) && stty -g > \(r)/stty.before; env > \(r)/environment; "
            + "env \(envArgs.joined(separator: " ")) sh -c 'echo $$ > \"$0\"; exec \"$@\"' \(r)/pid \(host); "
            + "echo $? > \(r)/status.tmp; stty -g > \(r)/stty.after; mv \(r)/status.tmp \(r)/status"
        try run(["-f", "\(records)/tmux.conf", "new-session", "-d", "-s", "t", "-x", "\(columns)", "-y", "\(rows)", script])
    }

    /// Single-quotes `s` for sh.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs `tmux -L <socket> <arguments>`; returns its stdout. The server a first call
    /// starts daemonises from the client and inherits its descriptors; swift-subprocess stops
    /// reading when the client exits, so the server's open copies make nobody wait.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        // -u: UTF-8 whatever locale the test process has (an empty LC_ALL must not turn the
        // screen's glyphs into underscores).
        let r = Command(tmux, ["-u", "-L", socket] + arguments).runBlocking()
        let text = r.stdout + r.stderr
        if r.status != 0 { throw TmuxError(description: "tmux \(arguments.prefix(3).joined(separator: " ")) (status \(r.signal.map { "signal \($0)" } ?? "\(r.status)")): \(text)") }
        return text
    }

    /// The screen as text, one line per row (`escapes`: with colour and attribute sequences).
    func screen(escapes: Bool = false) -> String {
        (try? run(["capture-pane", "-p", "-t", "t"] + (escapes ? ["-e"] : []))) ?? ""
    }

    /// Sends keys as tmux names them ("Enter", "Down", "q", "C-c").
    func send(_ keys: String...) { _ = try? run(["send-keys", "-t", "t"] + keys) }

    /// Resizes the window (the host sees SIGWINCH and a new size).
    func resize(columns: Int, rows: Int) throws { try run(["resize-window", "-t", "t", "-x", "\(columns)", "-y", "\(rows)"]) }

    /// Waits until the screen satisfies `condition`; fails the test with the last screen after
    /// `timeout` seconds. Returns the screen that satisfied it.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 120, escapes: Bool = false, file: StaticString = #filePath, line: UInt = #line,
                 _ condition: (String) -> Bool) -> String {
        var last = ""
        let met = Poll.first(timeout: timeout, every: 50_000, failure: { "timed out after \(Int(timeout)) s waiting for \(what); the screen:\n\(last)\n\(self.stderrNote)" },
                             file: file, line: line) { () -> String? in
            last = screen(escapes: escapes)
            return condition(last) ? last : nil
        }
        return met ?? last
    }

    /// Waits until `text` is on the screen.
    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 120, file: StaticString = #filePath, line: UInt = #line) -> String {
        waitFor("'\(text)'", timeout: timeout, file: file, line: line) { $0.contains(text) }
    }

    /// The host's exit status once the pane's shell recorded it; fails the test after `timeout`.
    func exitStatus(timeout: TimeInterval = 120, file: StaticString = #filePath, line: UInt = #line) -> Int32? {
        Poll.first(timeout: timeout, every: 50_000, failure: { "the host did not exit within \(Int(timeout)) s; the screen:\n\(self.screen())" },
                   file: file, line: line) { Int32(Harness.read("\(records)/status").trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The terminal settings before the host started and after it ended (`stty -g`).
    var sttyBefore: String { Harness.read("\(records)/stty.before") }
    var sttyAfter: String { Harness.read("\(records)/stty.after") }

    /// The host's pid, once its shell wrote it.
    func hostPid(timeout: TimeInterval = 60) -> Int32? {
        Poll.first(timeout: timeout, every: 50_000, failure: nil) { Int32(Harness.read("\(records)/pid").trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    private var stderrNote: String { "(records in \(records))" }

    /// Ends the tmux server (and with it the pane and anything still running in it).
    func close() {
        _ = try? run(["kill-server"])
        // tmux leaves the socket file of a killed server behind.
        let base = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        try? FileManager.default.removeItem(atPath: "\(base)/tmux-\(getuid())/\(socket)")
    }

    deinit { close() }
}

/// A tmux command that failed.
struct TmuxError: Error, CustomStringConvertible {
    var description: String
}
