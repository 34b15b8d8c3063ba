import CCrystallize
import Foundation

/// Whether plugin log lines of debug level reach the terminal. Hidden unless asked for with
/// `-v`: a step that logs every call at debug level must not drown the progress line. Only
/// printing is filtered; steps.log, the replicate logs, the run events and the run screen's
/// Logs tab keep every level.
public enum LogVerbosity {
    private static let lock = NSLock()
    private static var verbose = false

    /// Whether debug-level lines are printed (`-v`). Set once by the command line, read by
    /// every thread that prints a log line.
    public static var showsDebug: Bool {
        get { lock.lock(); defer { lock.unlock() }; return verbose }
        set { lock.lock(); verbose = newValue; lock.unlock() }
    }

    /// Whether `line`, a log line as the engine prints it (its level as a prefix), is printed.
    public static func shows(_ line: String) -> Bool {
        !line.hasPrefix(LogLine.prefix(CRYS_LOG_DEBUG)) || showsDebug
    }

    /// Whether a line of CRYS_LOG_* level `level` is printed.
    static func shows(level: Int32) -> Bool { level != CRYS_LOG_DEBUG || showsDebug }
}
