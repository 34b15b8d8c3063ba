import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One run per experiment folder: a lock file `data/<exp>/.crystallize-lock` that a run holds
/// for its whole life, so a second run into the same folder is refused (or waits) instead of
/// mixing its results with the first one's.
///
/// Two mechanisms together, because neither alone holds everywhere:
/// - the file is created with `O_CREAT | O_EXCL` and names its holder as JSON (pid, host,
///   start time, command), so a refused run can say who holds it, on any filesystem;
/// - the holder also keeps a `flock` on it (on NFS, Linux turns this into a byte-range lock
///   the server tracks, released when the holder's lease ends). The kernel drops that lock
///   the moment the holder dies, however it dies, so a lock file whose `flock` is free is a
///   leftover of a killed run: it is taken over, with a note naming the old holder.
///
/// Where `flock` is unsupported (some FUSE filesystems) a leftover is recognised on the same
/// host by its pid no longer running; a leftover from another host is then never taken over
/// automatically (its process cannot be checked from here): the message says to delete the file.
///
/// Worker processes never take it (the descriptor is close-on-exec and workers do not lock);
/// `show`, `list` and other readers never look at it.
public final class RunLock {
    /// The lock file's name inside `data/<exp>`.
    public static let fileName = ".crystallize-lock"

    /// Who holds a lock, as written in the lock file.
    public struct Holder: Codable, Equatable, CustomStringConvertible {
        /// Process id of the holding run.
        public var pid: Int32
        /// Host name of the machine it runs on.
        public var host: String
        /// When it took the lock (ISO 8601).
        public var started: String
        /// Its command line.
        public var command: String
        /// "pid 12 on host h, started 2026-…: crystallize-host run …".
        public var description: String { "pid \(pid) on host \(host), started \(started) (\(command))" }

        /// This process, now.
        static func current() -> Holder {
            Holder(pid: getpid(), host: RunLock.hostName(), started: HostInfo.now(), command: CommandLine.arguments.joined(separator: " "))
        }
    }

    /// The lock is held by a live run.
    public struct Busy: Error, CustomStringConvertible {
        /// The locked experiment folder.
        public var directory: String
        /// The lock file.
        public var lockPath: String
        /// Its holder, when the file could be read.
        public var holder: Holder?
        /// Why it could not be taken over, when it might be a leftover.
        public var advice: String
        /// The message.
        public var description: String {
            "\(directory) is in use by another run: " + (holder.map(\.description) ?? "holder unknown (\(lockPath) unreadable)") +
                ". Wait for it to finish, or pass --wait to start when it does\(advice.isEmpty ? "" : "; \(advice)")"
        }
    }

    /// The experiment folder this lock guards.
    public let directory: String
    /// The lock file.
    public let path: String
    private var fd: Int32
    /// The leftover lock this run took over, if any (for the note).
    public let tookOverFrom: Holder?

    private init(directory: String, path: String, fd: Int32, tookOverFrom: Holder?) {
        self.directory = directory; self.path = path; self.fd = fd; self.tookOverFrom = tookOverFrom
    }

    deinit { release() }

    /// Takes the lock on `directory` (creating the folder), refusing with `Busy` at once while
    /// a live run holds it, or waiting for it when `wait` is set. `note` receives a line when a
    /// leftover lock of a killed run is taken over.
    public static func acquire(_ directory: String, wait: Bool = false, note: (String) -> Void = { _ in }) throws -> RunLock {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent(fileName)
        var announced = false
        while true {
            switch try attempt(directory: directory, path: path) {
            case .acquired(let lock):
                if let old = lock.tookOverFrom {
                    note("note: took over the lock on \(directory) left by a run that is no longer running: \(old)")
                }
                return lock
            case .busy(let busy, let heldFD):
                guard wait else { if heldFD >= 0 { close(heldFD) }; throw busy }
                if !announced { note("waiting: \(directory) is in use by \(busy.holder.map(\.description) ?? "another run")"); announced = true }
                waitForRelease(heldFD)
            }
        }
    }

    private enum Attempt { case acquired(RunLock), busy(Busy, Int32) }

    private static func attempt(directory: String, path: String) throws -> Attempt {
        let me = Holder.current()
        let created = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if created >= 0 {
            if flock(created, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK {
                // Another run took the empty file for a leftover in the instant between our
                // create and lock: it holds the folder now.
                return .busy(Busy(directory: directory, lockPath: path, holder: readHolder(created), advice: ""), created)
            }
            try writeHolder(me, to: created, path: path)
            AtomicFile.syncDirectory(directory)
            return .acquired(RunLock(directory: directory, path: path, fd: created, tookOverFrom: nil))
        }
        guard errno == EEXIST else { throw StoreError("cannot create lock file \(path): \(String(cString: strerror(errno)))") }
        let existing = open(path, O_RDWR | O_CLOEXEC)
        // Removed between our create and open (its holder just finished): try again.
        if existing < 0 {
            guard errno == ENOENT else { throw StoreError("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
            return try attempt(directory: directory, path: path)
        }
        let holder = readHolder(existing)
        let locked = flock(existing, LOCK_EX | LOCK_NB)
        let lockErrno = errno
        if locked != 0 && lockErrno == EWOULDBLOCK {
            return .busy(Busy(directory: directory, lockPath: path, holder: holder, advice: ""), existing)
        }
        if locked == 0 {
            // The file lock was free: its holder is gone. Still the same file at `path`?
            guard sameFile(existing, path) else { close(existing); return try attempt(directory: directory, path: path) }
            try writeHolder(me, to: existing, path: path)
            return .acquired(RunLock(directory: directory, path: path, fd: existing, tookOverFrom: holder ?? Holder(pid: 0, host: "?", started: "?", command: "unreadable lock file")))
        }
        // No file locks on this filesystem: judge by the recorded pid.
        if let holder, holder.host == me.host, !processIsAlive(holder.pid) {
            try writeHolder(me, to: existing, path: path)
            return .acquired(RunLock(directory: directory, path: path, fd: existing, tookOverFrom: holder))
        }
        close(existing)
        let advice = holder.map { $0.host == me.host ? "" : "file locks are unsupported here and the holder runs on another host, so its process cannot be checked: if that run is gone, delete \(path)" }
            ?? "if no run is using it, delete \(path)"
        return .busy(Busy(directory: directory, lockPath: path, holder: holder, advice: advice), -1)
    }

    /// Blocks until the holder lets go: on its file lock when there is one, else by polling.
    private static func waitForRelease(_ fd: Int32) {
        if fd >= 0, flock(fd, LOCK_EX) == 0 { close(fd); return }
        if fd >= 0 { close(fd) }
        usleep(200_000)
    }

    /// Gives the lock up (also on deinit): the file is removed while still locked, so a waiter
    /// holding the old file sees it is gone and creates a fresh one.
    public func release() {
        guard fd >= 0 else { return }
        if sameFile(fd, path) { unlink(path) }
        close(fd)
        fd = -1
    }

    private static func writeHolder(_ h: Holder, to fd: Int32, path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let bytes = [UInt8](try enc.encode(h)) + [10]
        guard ftruncate(fd, 0) == 0 else { throw StoreError("cannot write lock file \(path): \(String(cString: strerror(errno)))") }
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard n == bytes.count, fsync(fd) == 0 else { throw StoreError("cannot write lock file \(path): \(String(cString: strerror(errno)))") }
    }

    private static func readHolder(_ fd: Int32) -> Holder? {
        var bytes = [UInt8](repeating: 0, count: 8192)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return try? JSONDecoder().decode(Holder.self, from: Data(bytes[..<n]))
    }

    /// Reads the holder named in `directory`'s lock file, if there is one (for messages and tests).
    public static func holder(of directory: String) -> Holder? {
        let fd = open((directory as NSString).appendingPathComponent(fileName), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readHolder(fd)
    }

    private func sameFile(_ fd: Int32, _ path: String) -> Bool { Self.sameFile(fd, path) }

    private static func sameFile(_ fd: Int32, _ path: String) -> Bool {
        var a = stat(), b = stat()
        return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    private static func processIsAlive(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    /// This machine's name (gethostname: no resolver round trip).
    public static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        return gethostname(&buf, buf.count) == 0 ? String(cString: buf) : "unknown"
    }
}
