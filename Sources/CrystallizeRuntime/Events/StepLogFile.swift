import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The run's log of what steps said through `host->log`: `vN/steps.log`, one line per call
/// (`<time> <level> [<step> r<replicate> <condition>] <message>`).
///
/// Appended to, not written atomically: it is a stream that a crash may cut short, never a
/// result. Every process of a run (worker processes and cluster tasks included) appends to the
/// same file, each line in one `write` to a file opened with `O_APPEND`, so lines never mix.
/// The file is created on the first line: a run whose steps say nothing has none.
public final class StepLogFile: @unchecked Sendable {
    /// The file's name inside a version folder.
    public static let fileName = "steps.log"
    /// Where the lines go.
    public let path: String
    private let lock = NSLock()
    private var fd: Int32 = -1
    private var failed = false

    /// The log of the run writing `versionDirectory`.
    public init(versionDirectory: String) { path = "\(versionDirectory)/\(Self.fileName)" }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends one line; a log that cannot be written is given up quietly (a log line must
    /// never fail a replicate).
    public func append(level: LogLevel, step: String, replicate: Int, condition: String, message: String) {
        let line = "\(HostInfo.now()) \(level.label) [\(step) r\(replicate) \(condition)] \(message)\n"
        lock.lock(); defer { lock.unlock() }
        if fd < 0 && !failed {
            fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            failed = fd < 0
        }
        if fd >= 0 { FileDescriptorText.write(line, to: fd) }
    }
}
