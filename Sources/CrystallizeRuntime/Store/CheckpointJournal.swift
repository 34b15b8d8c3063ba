import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The per-replicate checkpoint journal of a run: one line per finished (replicate,
/// condition), appended the moment it finishes.
///
/// Each line is `<sha256 of payload, 16 hex> <payload JSON>`. A line cut short by a crash or
/// power loss fails its checksum and is ignored on reading, so nothing half-written is ever
/// read back. Appends go straight to the kernel (surviving SIGKILL of the host); fdatasync
/// is batched to at most one per `syncInterval`, trading a bounded window on power loss for
/// not paying a disk flush per replicate.
public final class CheckpointJournal {
    /// The journal file.
    public let path: String
    private var fd: Int32 = -1
    private let lock = NSLock()
    private var lastSync = Date.distantPast
    private let syncInterval: TimeInterval

    /// Opens (creating) the journal for appending.
    public init(path: String, syncInterval: TimeInterval = 0.05) throws {
        self.path = path
        self.syncInterval = syncInterval
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError("cannot open checkpoint journal \(path): \(String(cString: strerror(errno)))") }
        AtomicFile.syncDirectory((path as NSString).deletingLastPathComponent)
    }

    deinit { if fd >= 0 { fdatasync(fd); close(fd) } }

    /// Appends one outcome; returns its encoded payload (reused as its provenance record).
    @discardableResult
    public func append(_ outcome: ConditionOutcome) -> [UInt8] {
        let payload = outcome.encodedJSON()
        var line = Array(ValueHash.hex(bytes: payload).utf8.prefix(16))
        line.reserveCapacity(payload.count + 18)
        line.append(32)
        line.append(contentsOf: payload)
        line.append(10)
        lock.lock(); defer { lock.unlock() }
        line.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = write(fd, b.baseAddress! + off, b.count - off)
                if n <= 0 { if errno == EINTR { continue }; break }
                off += n
            }
        }
        let now = Date()
        if now.timeIntervalSince(lastSync) >= syncInterval { fdatasync(fd); lastSync = now }
        return payload
    }

    /// Flushes everything to disk.
    public func sync() { lock.lock(); fdatasync(fd); lock.unlock() }

    /// Reads every intact line of the journal at `path` (later lines for the same
    /// replicate and condition win). Returns the outcomes and how many damaged lines were skipped.
    public static func read(_ path: String) -> (outcomes: [ConditionOutcome], damaged: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], 0) }
        var outcomes: [ConditionOutcome] = []
        var damaged = 0
        for raw in data.split(separator: 10, omittingEmptySubsequences: true) {
            guard raw.count > 17, raw[raw.startIndex + 16] == 32 else { damaged += 1; continue }
            let sum = String(decoding: raw.prefix(16), as: UTF8.self)
            let payload = raw.dropFirst(17)
            guard String(ValueHash.hex(bytes: Array(payload)).prefix(16)) == sum,
                  let v = try? JSONText.parse(String(decoding: payload, as: UTF8.self)),
                  let o = try? ConditionOutcome(json: v) else { damaged += 1; continue }
            outcomes.append(o)
        }
        return (outcomes, damaged)
    }
}
