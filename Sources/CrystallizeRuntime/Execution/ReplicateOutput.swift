import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// In a worker process: while a replicate runs, everything written to stdout and stderr (the
/// step logs, a plugin's own prints, a crash report) goes to that replicate's
/// `logs/replicate_<r>/output.log`, so each replicate's output is kept apart from the others'.
///
/// A streaming worker (processes strategy) runs many short replicates: it writes into one
/// scratch file, `logs/.worker-<pid>.out`, and moves what a replicate printed to its log only
/// when it printed something (one fstat per replicate otherwise). If the worker dies, the
/// parent moves the scratch file's content to the replicate that was running. A batch or
/// one-shot worker (cluster tasks) writes each replicate's log directly, so a crash report
/// lands in the right file even when nobody is left to move it.
final class ReplicateOutput {
    private let saved: Int32
    private let versionDirectory: String
    private var scratch: Int32 = -1
    private var current: Int? = nil
    private var currentPath = ""

    /// Remembers where stderr goes now, to return there after each replicate.
    init(versionDirectory: String, streaming: Bool) {
        self.versionDirectory = versionDirectory
        saved = dup(2)
        if streaming {
            let root = RunLogs.root(versionDirectory)
            try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            scratch = open(Self.scratchPath(versionDirectory, pid: getpid()), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
    }

    deinit {
        if saved >= 0 { close(saved) }
        if scratch >= 0 { close(scratch); unlink(Self.scratchPath(versionDirectory, pid: getpid())) }
    }

    /// The scratch file of the streaming worker with process id `pid`.
    static func scratchPath(_ versionDirectory: String, pid: Int32) -> String { "\(RunLogs.root(versionDirectory))/.worker-\(pid).out" }

    /// Sends fd 1 and 2 to replicate `r`'s output.
    func begin(_ r: Int) {
        fflush(nil)
        current = r
        if scratch >= 0 {
            dup2(scratch, 1); dup2(scratch, 2)
            return
        }
        currentPath = RunLogs.outputPath(versionDirectory, replicate: r)
        try? FileManager.default.createDirectory(atPath: (currentPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(currentPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        dup2(fd, 1); dup2(fd, 2)
        close(fd)
    }

    /// Sends fd 1 and 2 back where stderr went before; keeps what the replicate printed.
    func end() {
        fflush(nil)
        if saved >= 0 { dup2(saved, 1); dup2(saved, 2) }
        guard let r = current else { return }
        current = nil
        if scratch >= 0 {
            Self.move(scratchFD: scratch, toReplicate: r, versionDirectory: versionDirectory)
        } else {
            var st = stat()
            if stat(currentPath, &st) == 0, st.st_size == 0 { unlink(currentPath) }
        }
    }

    /// Appends what the scratch file holds to replicate `r`'s output.log and empties it.
    static func move(scratchFD fd: Int32, toReplicate r: Int, versionDirectory: String) {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 { RunLogs.append(bytes: bytes[..<n], replicate: r, versionDirectory: versionDirectory) }
        _ = ftruncate(fd, 0)
        lseek(fd, 0, SEEK_SET)
    }

    /// After a streaming worker died in replicate `r`: its scratch file's content goes to `r`'s log.
    static func rescue(pid: Int32, replicate r: Int, versionDirectory: String) {
        let path = scratchPath(versionDirectory, pid: pid)
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return }
        move(scratchFD: fd, toReplicate: r, versionDirectory: versionDirectory)
        close(fd)
        unlink(path)
    }
}
