import Foundation

/// Follows a checkpoint journal while a run appends to it: each `poll()` reads and decodes
/// only the whole blocks appended since the last one, so following a long run costs the new
/// bytes, not the whole file again (the dashboard polls a few times a second).
///
/// A block still being written (cut short at the end of the file) waits for the next poll;
/// one that a whole block follows is torn (the run died writing it) and is read past. When
/// the file no longer extends what was read (cut back after a failed write, replaced by
/// a rerun) or holds bytes that are not a whole block (a torn block that a resumed run wrote
/// past), the poll falls back to reading the whole file and says so with `restarted`.
struct JournalTail {
    /// The journal followed.
    let path: String
    /// Where the next unread block starts.
    private(set) var offset = 0
    /// Bytes read from the file so far (what following costs).
    private(set) var bytesRead = 0
    /// The file read (device, inode): another file at the path is read from its start.
    private var identity: [UInt64] = []
    /// Set by a whole-file read: the next poll reads from the start and says so again.
    private var startOver = false

    /// A follower of the journal at `path`, nothing read yet.
    init(path: String) { self.path = path }

    /// What one poll found: the outcomes of the new blocks or, when `restarted`, of the whole
    /// file (the caller forgets what it had).
    struct Poll {
        var outcomes: [ConditionOutcome]
        var restarted: Bool
    }

    /// Reads what was appended since the last poll.
    mutating func poll() -> Poll {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let had = offset > 0
            offset = 0
            return Poll(outcomes: [], restarted: had)
        }
        let size = Int(st.st_size)
        var restarted = startOver
        startOver = false
        let id = [UInt64(st.st_dev), UInt64(st.st_ino)]
        if id != identity { if !identity.isEmpty { offset = 0; restarted = true }; identity = id }
        if size < offset { offset = 0; restarted = true }
        if size == offset { return Poll(outcomes: [], restarted: restarted) }
        guard let bytes = read(from: offset) else { return Poll(outcomes: [], restarted: restarted) }
        var outcomes: [ConditionOutcome] = []
        var i = 0
        while i < bytes.count {
            if bytes.count - i < CheckpointJournal.headerSize || !blockFits(bytes, at: i) {
                // Unfinished here, but a whole block after it: the unfinished one is torn and
                // will never be completed (a resumed run appends after it), so read past it.
                if Self.wholeBlock(after: i, in: bytes) { return wholeFile() }
                break
            }
            guard let (format, payload) = CheckpointJournal.block(in: bytes, at: i),
                  let decoded = format > CheckpointJournal.format ? [] : try? CheckpointJournal.decodeRecords(bytes, payload: payload, format: format)
            else { return wholeFile() }
            outcomes += decoded
            i = payload.upperBound
        }
        offset += i
        return Poll(outcomes: outcomes, restarted: restarted)
    }

    /// Whether the bytes at `at` start with a marker and the whole block they announce is
    /// already in the file; not a marker at all means damage, which the whole-file read handles.
    private func blockFits(_ bytes: [UInt8], at: Int) -> Bool {
        guard bytes[at..<(at + 3)].elementsEqual(CheckpointJournal.marker[..<3]) else { return true }
        let length = Int(bytes[at + 4]) | Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]) << 16 | Int(bytes[at + 7]) << 24
        return length <= bytes.count - at - CheckpointJournal.headerSize
    }

    /// Whether a whole, checksummed block starts anywhere after `start` in `bytes`.
    private static func wholeBlock(after start: Int, in bytes: [UInt8]) -> Bool {
        // `block` looks at the marker before anything else, so most offsets cost a compare.
        ((start + 1)..<max(start + 1, bytes.count - CheckpointJournal.headerSize + 1)).contains { CheckpointJournal.block(in: bytes, at: $0) != nil }
    }

    /// Every intact outcome of the file, damage skipped as resume skips it; the next poll
    /// starts over too, so a damaged journal is always read whole.
    private mutating func wholeFile() -> Poll {
        offset = 0
        startOver = true
        let all = read(from: 0).map { CheckpointJournal.read(bytes: $0).outcomes } ?? []
        return Poll(outcomes: all, restarted: true)
    }

    private mutating func read(from start: Int) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(start))
            let data = try handle.readToEnd() ?? Data()
            bytesRead += data.count
            return [UInt8](data)
        } catch { return nil }
    }
}
