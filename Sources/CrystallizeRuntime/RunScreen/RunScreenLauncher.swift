import Foundation

/// Opens a screen for the command line: full-screen mode on, the screen's loop on a thread of
/// its own (the engine's tasks keep the cooperative pool), the terminal restored afterwards.
public enum RunScreenLauncher {
    /// Runs `body` (a screen's blocking loop) in full-screen mode; what is written to stderr
    /// meanwhile goes to the open run screen's Logs tab.
    public static func present(_ body: @escaping (TerminalMode) -> RunScreenApp.Exit) async throws -> RunScreenApp.Exit {
        let terminal = TerminalMode()
        try terminal.enter(stderrSink: { line in RunScreenApp.active?.log(line) })
        // Resizing (SIGWINCH) needs no handler: the loops ask for the size every tick (40 ms)
        // and redraw when it changed.
        let exit: RunScreenApp.Exit = await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body(terminal)) }
            thread.stackSize = 8 << 20
            thread.start()
        }
        terminal.leave()
        return exit
    }
}
