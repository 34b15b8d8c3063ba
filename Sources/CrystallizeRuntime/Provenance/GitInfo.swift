import ChildProcesses
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
        // One `git status` tells the commit, the branch and the changes; exclusions go in as
        // pathspecs so git does not even walk a large results folder.
        let base = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        let skipped = excluding.map { ":(exclude)" + relativePath(from: base, to: URL(fileURLWithPath: $0).resolvingSymlinksInPath().path) }
        guard let out = git(["-c", "status.relativePaths=false", "status", "--porcelain=v2", "-z", "--branch", "--untracked-files=normal", "--", ":/"] + skipped,
                            in: directory) else { return nil }
        var commit = "", branch: String? = nil
        var files: [String] = []
        // -z: NUL-terminated records with paths unquoted; a rename's old path is a record of its own.
        var skipNext = false
        for line in out.split(separator: "\0") {
            if skipNext { skipNext = false; continue }
            if line.hasPrefix("2 ") { skipNext = true }
            if line.hasPrefix("# branch.oid ") { commit = String(line.dropFirst(13)) }
            else if line.hasPrefix("# branch.head ") { let b = String(line.dropFirst(14)); branch = b == "(detached)" ? nil : b }
            else if line.hasPrefix("#") { continue }
            else { files.append(path(ofStatusLine: String(line))) }
        }
        // A repository without a first commit has no code version to name.
        guard commit.count >= 40, commit.allSatisfy(\.isHexDigit) else { return nil }
        return GitInfo(commit: commit, branch: branch, dirty: !files.isEmpty, modified: Array(files.prefix(modifiedCap)), modifiedCount: files.count)
    }

    /// The path of a porcelain v2 record: ordinary ("1", 8 fields before it), renamed ("2", 9),
    /// unmerged ("u", 10), untracked or ignored ("?", "!").
    static func path(ofStatusLine line: String) -> String {
        let fieldsBefore: Int
        switch line.first {
        case "1": fieldsBefore = 8
        case "2": fieldsBefore = 9
        case "u": fieldsBefore = 10
        default: fieldsBefore = 1
        }
        return line.split(separator: " ", maxSplits: fieldsBefore, omittingEmptySubsequences: false).last.map(String.init) ?? line
    }

    /// `to` relative to the folder `from` (both absolute), with `..` where it climbs out.
    static func relativePath(from: String, to: String) -> String {
        let a = from.split(separator: "/"), b = to.split(separator: "/")
        var common = 0
        while common < a.count, common < b.count, a[common] == b[common] { common += 1 }
        let parts = Array(repeating: "..", count: a.count - common) + b[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
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
        // A repository-wide lock must never be taken for a read-only look.
        let r = Command("git", ["-C", directory] + arguments, environment: ["GIT_OPTIONAL_LOCKS": "0"]).runBlocking()
        return r.status == 0 ? r.stdout : nil
    }
}
