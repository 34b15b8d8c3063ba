#if canImport(Glibc)
import Glibc
#endif
import Crystallize
import Foundation

/// File helpers: atomic writes (a node never reads half a script or list) and log tails.
enum Files {
    /// Writes `text` to a temporary file beside `path`, syncs it, sets `mode`, then renames it over `path`.
    static func writeAtomically(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
        let tmp = "\(path).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw PluginFailure("slurm: cannot write \(tmp): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { close(fd); unlink(tmp); throw PluginFailure("slurm: cannot write \(tmp): \(String(cString: strerror(errno)))") }
            written += n
        }
        fchmod(fd, mode)
        fsync(fd)
        close(fd)
        guard rename(tmp, path) == 0 else {
            let e = String(cString: strerror(errno)); unlink(tmp)
            throw PluginFailure("slurm: cannot rename \(tmp) to \(path): \(e)")
        }
    }

    /// A fresh folder `<parent>/slurm-XXXXXX`, so submissions never share a log or result file.
    static func makeSubmissionDirectory(in parent: String) throws -> String {
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw PluginFailure("slurm: cannot create the shared folder \(parent): \(error.localizedDescription)")
        }
        var template = Array("\(parent)/slurm-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw PluginFailure("slurm: cannot create a folder in \(parent): \(String(cString: strerror(errno)))") }
        return String(cString: p)
    }

    /// `path` made absolute against the current directory, without resolving symlinks.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)).standardizedFileURL.path
    }

    /// The last `lines` non-empty lines of a log (reading at most its last 16 KiB), or nil if it cannot be read.
    static func tail(_ path: String, lines: Int = 10) -> [String]? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        let start = size > 16384 ? size - 16384 : 0
        try? h.seek(toOffset: start)
        let data = (try? h.readToEnd()) ?? Data()
        var all = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        if start > 0, !all.isEmpty { all.removeFirst() }  // the first line was cut
        return all.map { $0.count > 300 ? String($0.prefix(300)) + "…" : $0 }.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.suffix(lines).map { $0 }
    }
}
