import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The terminal settings to put back, kept where a signal handler can reach them without
/// allocating: a handler may only call async-signal-safe functions (tcsetattr, write, dup2).
private var savedAttributes = termios()
private var hasSavedAttributes = false
private var savedStderr: Int32 = -1
/// Leave the alternate screen, show the cursor, reset colours: written on every way out.
private let restoreSequence: [UInt8] = Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l".utf8)

/// Puts the terminal back: settings, screen, cursor, stderr. Safe to call twice and from a
/// signal handler.
private func restoreTerminalNow() {
    guard hasSavedAttributes else { return }
    hasSavedAttributes = false
    restoreSequence.withUnsafeBufferPointer { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedAttributes)
    if savedStderr >= 0 { _ = dup2(savedStderr, STDERR_FILENO) }
}

/// A fatal signal (a crashing step, a kill): restore the terminal, then die of the same signal
/// with its default action, so the exit status still tells what happened.
private func fatalSignalHandler(_ sig: Int32) {
    restoreTerminalNow()
    signal(sig, SIG_DFL)
    raise(sig)
}

/// Full-screen mode: raw input, the alternate screen, a hidden cursor. Whatever ends the
/// program — `leave()`, `exit`, Ctrl-C, SIGTERM, SIGHUP, a crash in a step — the terminal is
/// restored exactly as it was (the saved termios, the main screen, the cursor shown).
public final class TerminalMode {
    /// Signals after which the terminal must be restored before the process dies.
    static let fatalSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT]
    private static var atexitInstalled = false

    /// Whether full-screen mode is on.
    public private(set) var isActive = false

    /// A terminal mode, not yet entered.
    public init() {}

    /// Whether stdin and stdout are both a terminal (full screen needs both).
    public static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    /// Enters raw mode and the alternate screen. `stderrSink` receives what anything in the
    /// process (plugins, worker processes) writes to stderr meanwhile, a line at a time,
    /// instead of letting it scribble over the screen.
    public func enter(stderrSink: ((String) -> Void)? = nil) throws {
        guard !isActive else { return }
        var attributes = termios()
        guard tcgetattr(STDIN_FILENO, &attributes) == 0 else { throw TerminalError("stdin is not a terminal (tcgetattr failed)") }
        savedAttributes = attributes
        // Raw: no echo, no line buffering, no signals from keys (Ctrl-C arrives as a byte), no
        // CR/LF translation of input; output processing stays on so "\n" still returns.
        attributes.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        attributes.c_iflag &= ~tcflag_t(IXON | ICRNL | BRKINT | INPCK | ISTRIP)
        attributes.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &attributes.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &attributes) == 0 else { throw TerminalError("cannot switch the terminal to raw mode") }
        hasSavedAttributes = true
        if !Self.atexitInstalled {
            Self.atexitInstalled = true
            atexit { restoreTerminalNow() }
            for s in Self.fatalSignals { signal(s, fatalSignalHandler) }
        }
        if let stderrSink { StderrCapture.start(sink: stderrSink) }
        isActive = true
        Self.write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J")
    }

    /// Leaves full-screen mode: everything back as before `enter`.
    public func leave() {
        guard isActive else { return }
        isActive = false
        StderrCapture.stop()
        restoreTerminalNow()
    }

    /// Writes text to the terminal (stdout) at once, unbuffered.
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBufferPointer { Glibc.write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }

    /// The terminal's size in columns and rows (80×24 when it cannot be asked).
    public static func size() -> (columns: Int, rows: Int) {
        var w = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0, w.ws_row > 0 { return (Int(w.ws_col), Int(w.ws_row)) }
        return (80, 24)
    }

    /// Gives the terminal back to a child program (an editor) and takes it again afterwards.
    public func suspend(_ body: () -> Void) {
        let sink = StderrCapture.sink
        leave()
        body()
        try? enter(stderrSink: sink)
    }

    fileprivate static func rememberStderr(_ fd: Int32) { savedStderr = fd }
}

/// A problem with the terminal itself.
public struct TerminalError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    init(_ d: String) { description = d }
}

/// While the screen is up, fd 2 points into a pipe whose lines go to a sink (the Logs tab);
/// worker processes inherit it too. `stop` points fd 2 back at the terminal.
enum StderrCapture {
    private(set) static var sink: ((String) -> Void)?
    private static var readEnd: Int32 = -1
    private static var reader: Thread?

    static func start(sink newSink: @escaping (String) -> Void) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        let saved = dup(STDERR_FILENO)
        guard saved >= 0 else { close(fds[0]); close(fds[1]); return }
        TerminalMode.rememberStderr(saved)
        _ = fcntl(saved, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        dup2(fds[1], STDERR_FILENO)
        close(fds[1])
        sink = newSink
        readEnd = fds[0]
        let fd = fds[0]
        let thread = Thread {
            var pending = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending += buffer[0..<n]
                while let nl = pending.firstIndex(of: 10) {
                    newSink(String(decoding: pending[..<nl], as: UTF8.self))
                    pending.removeSubrange(...nl)
                }
            }
            if !pending.isEmpty { newSink(String(decoding: pending, as: UTF8.self)) }
            close(fd)
        }
        thread.start()
        reader = thread
    }

    static func stop() {
        guard readEnd >= 0 else { return }
        // Pointing fd 2 back closes the pipe's last writer in this process; the reader thread
        // drains what is left and ends (worker processes still holding it end with their runs).
        if savedStderr >= 0 { dup2(savedStderr, STDERR_FILENO); close(savedStderr); savedStderr = -1 }
        readEnd = -1
        reader = nil
    }
}
