import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes each event as one JSON line to a file descriptor: `run --events FILE` (or stdout),
/// and a worker process's event stream to its parent (each line then starts with `prefix`).
public final class EventLineWriter: RunEventSubscriber {
    private let fd: Int32
    private let prefix: String
    private let closesOnDeinit: Bool

    /// A writer to `fd`, which it closes at the end only when `closes`.
    public init(fd: Int32, prefix: String = "", closes: Bool = false) {
        self.fd = fd
        self.prefix = prefix
        closesOnDeinit = closes
    }

    /// A writer to a new file at `path` (`-`: stdout). Throws with the path when it cannot be created.
    public convenience init(path: String) throws {
        if path == "-" { self.init(fd: 1); return }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError("--events \(path): cannot create the file (\(String(cString: strerror(errno))))") }
        self.init(fd: fd, closes: true)
    }

    deinit { if closesOnDeinit { close(fd) } }

    /// Writes the event's line in one `write`, so lines from several writers never interleave
    /// within a line. The bus delivers one event at a time.
    public func receive(_ event: RunEvent) {
        FileDescriptorText.write(prefix + event.json() + "\n", to: fd)
    }
}

/// Keeps each event's JSON line in memory, for a one-shot worker that writes them beside its
/// result file when the replicate is done.
public final class EventLineBuffer: RunEventSubscriber {
    /// The lines so far, each ending in a newline.
    public private(set) var text = ""
    /// An empty buffer.
    public init() {}
    /// Appends the event's line.
    public func receive(_ event: RunEvent) { text += event.json() + "\n" }
    /// The lines so far, emptying the buffer (a batch worker's events, one replicate at a time).
    public func take() -> String { defer { text = "" }; return text }
}

extension RunEventBus {
    /// Publishes again each event of `lines` (JSON lines from a worker); other lines are skipped.
    public func republish<S: Sequence>(lines: S) where S.Element: StringProtocol {
        guard isActive else { return }
        for line in lines { if let e = RunEvent(json: String(line)) { publish(e) } }
    }
}

/// Whole-string writes to a file descriptor, retried on EINTR and short writes.
enum FileDescriptorText {
    static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { b in
            var off = 0
            while off < b.count {
                let n = Glibc.write(fd, b.baseAddress! + off, b.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                off += n
            }
        }
    }
}
