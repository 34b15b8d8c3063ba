import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Per-replicate logs of a run: `vN/logs/replicate_<r>/`, holding `output.log` (the step logs
/// and, for replicates run in a worker process, everything the worker printed) and
/// `attempts.txt`, naming the copies under `vN/logs/attempts/` of every attempt's log a
/// cluster strategy kept. `show <experiment> --logs R` prints them;
/// provenance.json names them.
public enum RunLogs {
    /// The logs folder of a version.
    public static func root(_ versionDirectory: String) -> String { "\(versionDirectory)/logs" }
    /// The logs folder of one replicate.
    public static func directory(_ versionDirectory: String, replicate r: Int) -> String { "\(root(versionDirectory))/replicate_\(r)" }
    /// The step-log and worker-output file of one replicate.
    public static func outputPath(_ versionDirectory: String, replicate r: Int) -> String { "\(directory(versionDirectory, replicate: r))/output.log" }

    /// Keeps the attempt log at `path` for replicate `r`: one copy per log file under
    /// `logs/attempts/` (a batch task's log serves all its replicates), named in the
    /// replicate's `attempts.txt`.
    public static func keep(_ path: String, replicate r: Int, versionDirectory: String) throws {
        guard !versionDirectory.isEmpty else { throw StoreError("the run has no version folder to keep \(path) in") }
        guard let data = FileManager.default.contents(atPath: path) else { throw StoreError("cannot read \(path)") }
        let name = (path as NSString).lastPathComponent
        let attempts = "\(root(versionDirectory))/attempts"
        let copy = "\(attempts)/\(name)"
        if FileManager.default.contents(atPath: copy) != data {
            try FileManager.default.createDirectory(atPath: attempts, withIntermediateDirectories: true)
            try AtomicFile.write(copy, bytes: [UInt8](data))
        }
        let list = "\(directory(versionDirectory, replicate: r))/attempts.txt"
        let listed = (try? String(contentsOfFile: list, encoding: .utf8)) ?? ""
        if !listed.split(separator: "\n").contains(where: { $0 == "logs/attempts/\(name)" }) {
            append(toFile: list, "logs/attempts/\(name)")
        }
    }

    /// Appends `line` to the replicate's output.log (creating it).
    public static func append(_ line: String, replicate r: Int, versionDirectory: String) {
        guard !versionDirectory.isEmpty else { return }
        append(toFile: outputPath(versionDirectory, replicate: r), line)
    }

    /// Appends raw bytes (a worker's output) to the replicate's output.log.
    static func append(bytes: ArraySlice<UInt8>, replicate r: Int, versionDirectory: String) {
        let path = outputPath(versionDirectory, replicate: r)
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    static func append(toFile path: String, _ line: String) {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Every replicate's log files, relative to the version folder, by replicate (for provenance).
    public static func census(_ versionDirectory: String) -> [(replicate: Int, files: [String])] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: root(versionDirectory))) ?? []
        return names.compactMap { n -> (Int, [String])? in
            guard n.hasPrefix("replicate_"), !n.hasPrefix("."), let r = Int(n.dropFirst("replicate_".count)) else { return nil }
            let own = ((try? fm.contentsOfDirectory(atPath: "\(root(versionDirectory))/\(n)")) ?? []).filter { !$0.contains(".tmp") && $0 != "attempts.txt" }.sorted()
            let files = own.map { "logs/\(n)/\($0)" } + attempts(versionDirectory, replicate: r)
            return files.isEmpty ? nil : (r, files)
        }.sorted { $0.0 < $1.0 }
    }

    /// The attempt logs kept for replicate `r`, relative to the version folder, oldest first.
    static func attempts(_ versionDirectory: String, replicate r: Int) -> [String] {
        let text = (try? String(contentsOfFile: "\(directory(versionDirectory, replicate: r))/attempts.txt", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isNewline).map(String.init)
    }

    /// Every log of replicate `r` as text, each file under a header line; throws when there is none.
    public static func render(_ versionDirectory: String, replicate r: Int) throws -> String {
        guard let files = census(versionDirectory).first(where: { $0.replicate == r })?.files else {
            throw StoreError("no logs for replicate \(r) in \(root(versionDirectory)) (it printed nothing, or did not run)")
        }
        return files.map { f in
            let path = "\(versionDirectory)/\(f)"
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<unreadable>"
            return "==> \(path) <==\n" + text + (text.hasSuffix("\n") || text.isEmpty ? "" : "\n")
        }.joined(separator: "\n")
    }
}
