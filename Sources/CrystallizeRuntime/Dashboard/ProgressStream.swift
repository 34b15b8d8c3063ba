import Foundation

/// The server-sent events of one run's progress: an `event: progress` message whenever what
/// the run's files say changes (and a comment now and then so proxies keep the stream open),
/// until the run is no longer running. The dashboard is a separate process from the run, so
/// it follows the files the run writes — the journal gains each finished replicate within
/// its flush interval — checking every `interval`.
public struct ProgressStream: Sendable {
    /// The run followed.
    public let versionDirectory: String
    /// How often the files are looked at.
    public var interval: Duration = .milliseconds(200)
    /// A comment after this long without a message.
    public var keepAlive: Duration = .seconds(15)
    private var last: LiveProgress? = nil
    /// Follows the journal's new blocks only, read after read.
    private var reader: LiveProgressReader
    /// Size and modification time of metadata.json and the journal when last read: while they
    /// stay the same, the files are not read again.
    private var lastStamp: [Int64] = []
    private var quietSince = ContinuousClock.now
    private var finished = false

    /// A stream of the run in `versionDirectory`.
    public init(versionDirectory: String) {
        self.versionDirectory = versionDirectory
        reader = LiveProgressReader(versionDirectory: versionDirectory)
    }

    /// The next bytes to send, or nil when the stream is over (after the final state was sent).
    public mutating func next() async -> [UInt8]? {
        if finished { return nil }
        while true {
            let stamp = Self.stamp(versionDirectory)
            if stamp != lastStamp, let p = try? reader.read() {
                lastStamp = stamp
                if p.state != last?.state {
                    last = p
                    quietSince = .now
                    if p.status != RunStatus.running.metadataWord { finished = true }
                    return Array("event: progress\ndata: \(JSONText.encode(p.json))\n\n".utf8)
                }
            }
            if ContinuousClock.now - quietSince > keepAlive {
                quietSince = .now
                return Array(": keep-alive\n\n".utf8)
            }
            do { try await Task.sleep(for: interval) } catch { return nil }
        }
    }

    /// What changes when the run writes: each file's size and modification time.
    static func stamp(_ dir: String) -> [Int64] {
        ["\(dir)/metadata.json", "\(dir)/\(RunStore.journalFileName)"].flatMap { path -> [Int64] in
            var st = stat()
            guard stat(path, &st) == 0 else { return [-1, -1, -1] }
            return [Int64(st.st_size), Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec)]
        }
    }
}
