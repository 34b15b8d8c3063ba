import CCrystallize
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plugin-wide state (ABI 1.1): each plugin's `init` runs once per process, before the first
/// call of any of its exports, and its `shutdown` once when that process exits.
///
/// Once per process, not per run: a process that runs several experiments (a DAG, a session)
/// keeps one state, which is what a model loaded once per worker needs. Worker processes and
/// cluster tasks load the plugin themselves and so run their own init and shutdown.
public enum PluginState {
    private static let lock = NSLock()
    /// Plugins whose init succeeded (or that have only a shutdown), in start order.
    nonisolated(unsafe) private static var started: [LoadedPlugin] = []
    nonisolated(unsafe) private static var exitHandlerInstalled = false

    /// Runs the init of every plugin in `plugins` not started yet in this process. Throws,
    /// naming the plugin file, when an init fails; it is then tried again by the next run.
    public static func start(_ plugins: [LoadedPlugin]) throws {
        lock.lock()
        defer { lock.unlock() }
        for p in plugins where p.hasPluginState && !started.contains(where: { $0 === p }) {
            if let initFunction = p.initFunction {
                let frame = CallFrame(exportName: p.name, context: nil, params: [:], rng: SeededGenerator(seed: 0),
                                      services: CallServices(log: { level, m in LogLine.write(level: level, "[\(p.name) init] \(m)") }))
                let status = initFunction(frame.pointer, p.user)
                if status != CRYS_OK {
                    throw PluginError(p.path, "plugin-wide init failed (status \(status)): \(frame.error ?? "no message")")
                }
            }
            started.append(p)
            if !exitHandlerInstalled {
                exitHandlerInstalled = true
                atexit { PluginState.shutdownAll() }
            }
        }
    }

    /// Runs every started plugin's shutdown, last started first; at process exit.
    static func shutdownAll() {
        lock.lock()
        let plugins = started.reversed()
        started = []
        lock.unlock()
        for p in plugins {
            guard let shutdown = p.shutdownFunction else { continue }
            let frame = CallFrame(exportName: p.name, context: nil, params: [:], rng: SeededGenerator(seed: 0),
                                  services: CallServices(log: { level, m in LogLine.write(level: level, "[\(p.name) shutdown] \(m)") }))
            shutdown(frame.pointer, p.user)
        }
    }
}

/// A plugin's log line on stderr, its CRYS_LOG_* level kept as a prefix.
enum LogLine {
    /// The prefix of `level`: info has none.
    static func prefix(_ level: Int32) -> String {
        switch level {
        case CRYS_LOG_DEBUG: return "debug: "
        case CRYS_LOG_WARNING: return "warning: "
        case CRYS_LOG_ERROR: return "error: "
        default: return ""
        }
    }

    /// Prints a plugin-wide log line (init, shutdown) on stderr, unless `LogVerbosity` hides it.
    static func write(level: Int32, _ message: String) {
        guard LogVerbosity.shows(level: level) else { return }
        FileHandle.standardError.write((prefix(level) + message + "\n").data(using: .utf8)!)
    }
}
