import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The per-replicate checkpoint journal of a run, which is also where its step-level
/// provenance lives (provenance.json points at it; `ProvenanceDocument` expands it).
///
/// The file is a sequence of blocks: a 4-byte marker, the payload length (u32, little
/// endian), the first 16 bytes of the payload's sha256, then the payload — binary outcome
/// records (`ConditionOutcome.record`), each prefixed by its u32 length. A block cut short
/// by a crash fails its checksum and is skipped on reading; the reader then looks for the next
/// marker, so blocks appended after a torn one (by a resumed run) are still read.
///
/// Appending only queues the outcome: a writer queue of its own encodes, checksums and writes
/// the queued outcomes as one block, so the threads running replicates never pay for the
/// journal's bytes, hash or system calls. The first outcome after a quiet spell is written at
/// once, later ones within `flushInterval` — a finished (replicate, condition) reaches the
/// kernel, and survives SIGKILL of the host, within `flushInterval`. fdatasync runs at most
/// once per `syncInterval`, and on `sync()`: a bounded window on power loss, never a torn read.
///
/// A failed write or fdatasync (disk full, I/O error, read-only filesystem) is never
/// swallowed: the torn block is cut off again, nothing more is written, `writeFailure` names
/// the cause and `onWriteFailure` runs once, so the run stops scheduling (`JournalWriteFailure`).
public final class CheckpointJournal {
    /// The journal file.
    public let path: String
    private var fd: Int32 = -1
    /// Guards what appenders and the writer share: the queue and its schedule.
    private let lock = NSLock()
    /// What appenders and the writer share, under `lock`.
    private struct Queue {
        var outcomes: [ConditionOutcome] = []
        var writeScheduled = false
        var lastWrite: UInt64 = 0
    }
    // Reached by every finished outcome, always under `lock`; its run-time exclusivity check
    // pays: bench/run.sh's "trivial 10,000 serial" line (per-replicate overhead). See
    // docs/ARCHITECTURE.md, "Unsafe constructs".
    @exclusivity(unchecked) private var queue = Queue()
    /// Runs every write, one batch after another, so blocks land in append order.
    private let writer = DispatchQueue(label: "crystallize.checkpoint-journal")
    /// The writer's own: the batch being written (its storage swapped with the queue's), the
    /// block it is encoded into, and when the file was last synced.
    private var batch: [ConditionOutcome] = []
    private var block = ByteWriter(capacity: 1 << 16)
    private var lastSync: UInt64 = 0
    private let flushInterval: UInt64
    private let syncInterval: UInt64
    /// The file's length after the last whole block (the writer's): a failed write is cut back to it.
    private var length: off_t = 0
    private var failure: String? = nil
    /// Blocks written before the fault-injection switch makes the next write fail.
    private var blocksBeforeFault: Int?
    /// Runs once, on the writer queue, when the first write or fdatasync fails.
    public var onWriteFailure: (() -> Void)?
    /// The environment switch that makes the journal's write fail with ENOSPC after this many
    /// blocks: the test of a full disk where no filesystem can be made to fill.
    public static let faultSwitch = "CRYSTALLIZE_FAULT_JOURNAL_BLOCKS"
    /// Write at once when this many outcomes wait, whatever the time, to bound the memory a
    /// fast run holds between writes.
    static let maximumQueued = 4096

    static let marker: [UInt8] = [0x1E, 0x43, 0x4A, 0x32]  // RS "CJ2": format 2 (metric values as one ordered list)
    /// The format this host writes; `JournalFormats` lists every one it reads.
    public static let format = 2
    static let headerSize = 24

    /// Opens (creating) the journal for appending.
    public init(path: String, flushInterval: TimeInterval = 0.02, syncInterval: TimeInterval = 0.05) throws {
        self.path = path
        self.flushInterval = UInt64(flushInterval * 1e9)
        self.syncInterval = UInt64(syncInterval * 1e9)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError("cannot open checkpoint journal \(path): \(String(cString: strerror(errno)))") }
        length = lseek(fd, 0, SEEK_END)
        blocksBeforeFault = ProcessInfo.processInfo.environment[Self.faultSwitch].flatMap(Int.init)
        AtomicFile.syncDirectory((path as NSString).deletingLastPathComponent)
    }

    /// The first failed write or fdatasync ("write: No space left on device"), if any.
    public var writeFailure: String? {
        lock.lock(); defer { lock.unlock() }
        return failure
    }

    /// Records the first failure and tells the run (on the writer queue or in deinit).
    private func fail(_ call: String, _ code: Int32) {
        lock.lock()
        let first = failure == nil
        if first { failure = "\(call): \(String(cString: strerror(code)))" }
        lock.unlock()
        if first { onWriteFailure?() }
    }

    private var failed: Bool { lock.lock(); defer { lock.unlock() }; return failure != nil }

    deinit {
        // Scheduled writes hold the journal, so none is left: write what is queued here.
        writeQueued()
        if fd >= 0 { fdatasync(fd); close(fd) }
    }

    /// Queues one finished outcome for writing (taking it: the writer encodes it later).
    public func append(_ outcome: consuming ConditionOutcome) {
        lock.lock()
        queue.outcomes.append(consume outcome)
        let full = queue.outcomes.count == Self.maximumQueued
        let first = !queue.writeScheduled
        queue.writeScheduled = true
        let since = first ? queue.lastWrite : 0
        lock.unlock()
        if full {
            writer.async { self.writeQueued() }
        } else if first {
            // The clock is read once per batch, not per outcome.
            let now = DispatchTime.now().uptimeNanoseconds
            // lastWrite 0 is "never written": the first outcome goes out at once whatever the uptime.
            if since == 0 || now &- since >= flushInterval { writer.async { self.writeQueued() } }
            else { writer.asyncAfter(deadline: .now() + .nanoseconds(Int(since &+ flushInterval &- now))) { self.writeQueued() } }
        }
    }

    /// Writes everything queued and flushes it to disk.
    public func sync() {
        writer.sync {
            writeQueued()
            if !failed, fd >= 0, fdatasync(fd) != 0 { fail("fdatasync", errno) }
            lastSync = DispatchTime.now().uptimeNanoseconds
        }
    }

    /// Encodes, checksums and writes the queued outcomes as one block (on the writer queue,
    /// or from `deinit` when nothing else can run).
    private func writeQueued() {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        swap(&queue.outcomes, &batch)
        queue.writeScheduled = false
        queue.lastWrite = now
        lock.unlock()
        guard !batch.isEmpty, fd >= 0 else { return }
        // After the first failure nothing more is written: the file ends with the last whole block.
        if failed { batch.removeAll(keepingCapacity: true); return }
        block.removeAll()
        block.zeros(Self.headerSize)
        batch.withUnsafeBufferPointer { outcomes in for i in outcomes.indices { Self.appendRecord(outcomes[i], to: &block) } }
        batch.removeAll(keepingCapacity: true)
        Self.sealBlock(&block)
        var error: Int32 = 0
        if let left = blocksBeforeFault {
            if left == 0 { error = ENOSPC } else { blocksBeforeFault = left - 1 }
        }
        let written = error != 0 ? 0 : block.withUnsafeBytes { b -> Int in
            var off = 0
            while off < b.count {
                let n = write(fd, b.baseAddress! + off, b.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { error = n < 0 ? errno : EIO; break }
                off += n
            }
            return off
        }
        if error != 0 {
            // Cut the torn block off, so the journal stays a sequence of whole blocks.
            if written > 0 { _ = ftruncate(fd, length) }
            fail("write", error)
            return
        }
        length += off_t(written)
        if lastSync == 0 || now &- lastSync >= syncInterval {
            if fdatasync(fd) != 0 { fail("fdatasync", errno) }
            lastSync = now
        }
    }

    /// Fills in the header of a block whose payload follows `headerSize` reserved bytes.
    private static func sealBlock(_ block: inout ByteWriter) {
        let length = UInt32(block.count - headerSize)
        let digest = block.withUnsafeBytes { SHA256.hash(data: UnsafeRawBufferPointer(rebasing: $0[headerSize...])) }
        var header = marker
        withUnsafeBytes(of: length.littleEndian) { header.append(contentsOf: $0) }
        header.append(contentsOf: digest.prefix(16))
        block.withUnsafeMutableBytes { b in for (i, x) in header.enumerated() { b[i] = x } }
    }

    /// Appends `outcome`'s record with its u32 length in front, encoding in place (the length
    /// is patched in afterwards, so the record is never built twice).
    private static func appendRecord(_ outcome: borrowing ConditionOutcome, to w: inout ByteWriter) {
        let at = w.count
        w.zeros(4)
        outcome.encode(into: &w)
        let length = UInt32(w.count - at - 4)
        w.withUnsafeMutableBytes { $0.storeBytes(of: length.littleEndian, toByteOffset: at, as: UInt32.self) }
    }

    /// One whole journal holding `outcomes`, for a worker's result file.
    static func encode(_ outcomes: [ConditionOutcome]) -> [UInt8] {
        var w = ByteWriter()
        w.zeros(headerSize)
        for o in outcomes { appendRecord(o, to: &w) }
        sealBlock(&w)
        return w.bytes
    }

    /// Reads every intact record of the journal at `path`, in order (a later record for the
    /// same replicate and condition supersedes an earlier one). Returns the outcomes and how
    /// many damaged regions were skipped.
    public static func read(_ path: String) -> (outcomes: [ConditionOutcome], damaged: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], 0) }
        return read(bytes: [UInt8](data))
    }

    static func read(bytes: [UInt8]) -> (outcomes: [ConditionOutcome], damaged: Int) {
        let scan = scan(bytes: bytes)
        return (scan.outcomes, scan.damaged)
    }

    /// Every intact record of every block in a format this host reads, the damaged regions
    /// skipped, and the formats of intact blocks written by a newer host (skipped too).
    static func scan(bytes: [UInt8]) -> JournalFormats.Scan {
        var outcomes: [ConditionOutcome] = []
        var newer = Set<Int>()
        var damaged = 0
        var inDamage = false
        var i = 0
        let n = bytes.count
        func markDamaged() { if !inDamage { damaged += 1; inDamage = true } }
        while i < n {
            guard let (format, payload) = block(in: bytes, at: i) else { markDamaged(); i += 1; continue }
            inDamage = false
            i = payload.upperBound
            if format > Self.format {
                // Whole and checksummed, but of a format this host does not know: not damage.
                newer.insert(format)
                continue
            }
            do {
                outcomes += try decodeRecords(bytes, payload: payload, format: format)
            } catch {
                // A checksummed block that does not decode was written by something else.
                damaged += 1
            }
        }
        return JournalFormats.Scan(outcomes: outcomes, damaged: damaged, newerFormats: newer)
    }

    /// The whole block at `offset`, checksum verified: its format and payload range. nil when the
    /// bytes there are not one (no marker, cut short, checksum wrong).
    static func block(in bytes: [UInt8], at offset: Int) -> (format: Int, payload: Range<Int>)? {
        let n = bytes.count
        guard n - offset >= headerSize, bytes[offset..<(offset + 3)].elementsEqual(marker[..<3]), let format = JournalFormats.blockFormat(bytes[offset + 3]) else { return nil }
        let length = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
        let start = offset + headerSize
        guard length <= n - start,
              bytes.withUnsafeBytes({ SHA256.hash(data: UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)])) }).prefix(16)
                .elementsEqual(bytes[(offset + 8)..<(offset + 24)]) else { return nil }
        return (format, start..<(start + length))
    }

    /// The outcome records of one block's payload (each prefixed by its u32 length).
    static func decodeRecords(_ bytes: [UInt8], payload: Range<Int>, format: Int) throws -> [ConditionOutcome] {
        var outcomes: [ConditionOutcome] = []
        var r = ByteReader(bytes, from: payload.lowerBound, to: payload.upperBound)
        while !r.isAtEnd {
            let size = try r.u32()
            let recordEnd = r.offset + size
            guard recordEnd <= payload.upperBound else { throw BinaryDecodingError(description: "record overruns its block") }
            var one = ByteReader(bytes, from: r.offset, to: recordEnd)
            outcomes.append(try ConditionOutcome(from: &one, format: format))
            _ = try r.raw(size)
        }
        return outcomes
    }
}
