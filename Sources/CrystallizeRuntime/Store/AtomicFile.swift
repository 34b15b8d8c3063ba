import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Atomic file writes: a temp file in the same folder, fsync, rename, then fsync the folder.
/// A reader sees the old file or the new one, never half of either.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, creating parent folders. A bare relative name
    /// (`out.html`) lives in the current directory.
    public static func write(_ path: String, bytes: [UInt8], sync: Bool = true) throws {
        let parent = (path as NSString).deletingLastPathComponent
        let dir = parent.isEmpty ? "." : parent
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw StoreError("cannot write \(path): cannot create its folder \(dir): \((error as NSError).localizedDescription)")
        }
        let tmp = dir + "/.\((path as NSString).lastPathComponent).tmp.\(getpid()).\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError("cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var ok = true
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { if errno == EINTR { continue }; ok = false; break }
                off += n
            }
        }
        if ok && sync && fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw StoreError("cannot write \(path): \(why)")
        }
        if sync { syncDirectory(dir) }
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ path: String, text: String, sync: Bool = true) throws {
        try write(path, bytes: Array(text.utf8), sync: sync)
    }

    /// fsyncs a folder so a rename inside it is durable.
    public static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}

/// A storage problem; the message names the path.
public struct StoreError: Error, CustomStringConvertible {
    /// What happened, with the path.
    public var description: String
    /// A message.
    public init(_ message: String) { description = message }
}
