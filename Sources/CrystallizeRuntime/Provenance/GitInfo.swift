import Foundation
import OrderedCollections

/// The code version of an experiment folder: the git repository around it, if any — commit,
/// branch, whether the work tree is dirty and which files are modified (capped).
///
/// Read through the `git` command, so no library is linked; outside a repository, or with no
/// `git` installed, there is simply nothing to record.
public struct GitInfo: Equatable {
    /// The commit checked out (full hex sha).
    public var commit: String
    /// The branch, or nil for a detached HEAD.
    public var branch: String?
    /// Whether tracked or untracked files differ from the commit.
    public var dirty: Bool
    /// Modified files (paths relative to the repository root), at most `modifiedCap`.
    public var modified: [String]
    /// How many files are modified in all (may exceed `modified.count`).
    public var modifiedCount: Int

    /// At most this many modified file names are kept: enough to recognise a change, never a dump of a tree.
    public static let modifiedCap = 20

    /// The repository state of `directory`, or nil outside a repository or without git. Files
    /// under `excluding` (absolute paths: the run's own data folder) do not make the tree dirty:
    /// a run would otherwise dirty the tree for the next one by writing its results.
    public static func read(directory: String, excluding: [String] = []) -> GitInfo? {
        guard let commit = git(["rev-parse", "--verify", "HEAD"], in: directory)?.trimmingCharacters(in: .whitespacesAndNewlines),
              commit.count >= 40 else { return nil }
        var branch = git(["symbolic-ref", "--short", "-q", "HEAD"], in: directory)?.trimmingCharacters(in: .whitespacesAndNewlines)
        if branch?.isEmpty == true { branch = nil }
        let top = git(["rev-parse", "--show-toplevel"], in: directory)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let topReal = URL(fileURLWithPath: top).resolvingSymlinksInPath().path + "/"
        // Excluded by pathspec, so git does not even walk a large results folder.
        let skipped = excluding.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            .filter { $0.hasPrefix(topReal) }.map { ":(top,exclude)" + String($0.dropFirst(topReal.count)) }
        let status = git(["status", "--porcelain", "--untracked-files=normal", "--", ":/"] + skipped, in: directory) ?? ""
        let files = status.split(separator: "\n").map { line -> String in
            // Porcelain v1: two status letters, a space, then the path ("old -> new" for renames).
            let path = line.count > 3 ? String(line.dropFirst(3)) : String(line)
            return path.components(separatedBy: " -> ").last ?? path
        }
        return GitInfo(commit: commit, branch: branch, dirty: !files.isEmpty, modified: Array(files.prefix(modifiedCap)), modifiedCount: files.count)
    }

    /// The short commit, as people quote it.
    public var shortCommit: String { String(commit.prefix(12)) }

    /// One line: "abc123def456 (main, dirty: 3 files)".
    public var summary: String {
        var parts: [String] = []
        if let branch { parts.append(branch) }
        if dirty { parts.append("dirty: \(modifiedCount) file\(modifiedCount == 1 ? "" : "s")") } else { parts.append("clean") }
        return "\(shortCommit) (\(parts.joined(separator: ", ")))"
    }

    /// The JSON form written to metadata.json and provenance.json under "git".
    public var json: Value {
        var m: OrderedDictionary<String, Value> = ["commit": .string(commit), "branch": branch.map(Value.string) ?? .null, "dirty": .bool(dirty)]
        m["modified"] = .list(modified.map(Value.string))
        if modifiedCount > modified.count { m["modified_total"] = .int(Int64(modifiedCount)) }
        return .map(m)
    }

    /// Reads the JSON form back (nil when absent or not an object).
    public init?(json: Value?) {
        guard case .map(let m)? = json, case .string(let c)? = m["commit"] else { return nil }
        commit = c
        if case .string(let b)? = m["branch"] { branch = b } else { branch = nil }
        dirty = m["dirty"] == .bool(true)
        if case .list(let l)? = m["modified"] { modified = l.compactMap { if case .string(let s) = $0 { return s }; return nil } } else { modified = [] }
        if case .int(let n)? = m["modified_total"] { modifiedCount = Int(n) } else { modifiedCount = modified.count }
    }

    /// A value from its parts.
    public init(commit: String, branch: String?, dirty: Bool, modified: [String], modifiedCount: Int) {
        self.commit = commit
        self.branch = branch
        self.dirty = dirty
        self.modified = modified
        self.modifiedCount = modifiedCount
    }

    /// Runs git in `directory`; nil when it cannot start or exits non-zero. Its stderr is
    /// dropped: "not a git repository" is the ordinary case, not a problem.
    static func git(_ arguments: [String], in directory: String) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", directory] + arguments
        var env = ProcessInfo.processInfo.environment
        // A repository-wide lock must never be taken for a read-only look.
        env["GIT_OPTIONAL_LOCKS"] = "0"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
