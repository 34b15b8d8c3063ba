import ChildProcesses
import Foundation
import XCTest

/// The experiment folder's git commit, branch and dirty state in metadata, provenance, show,
/// compare and the report; nothing, and no error, outside a repository.
final class GitProvenanceTests: XCTestCase {
    @discardableResult
    func git(_ args: [String], in dir: String) -> String {
        let r = Command("git", ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=trunk"] + args, directory: dir).runBlocking()
        XCTAssertEqual(r.status, 0, "git \(args): \(r.diagnostic)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testCommitBranchAndDirtyStateAreRecordedAndShown() throws {
        let fx = ExperimentFixture("git")
        let exp = fx.experiment("gitexp", CompareTests.config.replacingOccurrences(of: "name: cmp", with: "name: gitexp"))
        git(["init", "-q"], in: fx.dir)
        git(["add", "experiments"], in: fx.dir)
        git(["commit", "-q", "-m", "first"], in: fx.dir)
        let head = git(["rev-parse", "HEAD"], in: fx.dir)
        XCTAssertEqual(fx.run(exp).status, 0)
        let meta = fx.object("\(fx.version("gitexp", 0))/metadata.json")
        let g = try XCTUnwrap(meta["git"] as? [String: Any], "metadata.json has git")
        XCTAssertEqual(g["commit"] as? String, head)
        XCTAssertEqual(g["branch"] as? String, "trunk")
        XCTAssertEqual(g["dirty"] as? Bool, false)
        let prov = fx.object("\(fx.version("gitexp", 0))/provenance.json")
        XCTAssertEqual((prov["git"] as? [String: Any])?["commit"] as? String, head)

        // The run's own results (untracked data/) do not make the next run dirty; an edited config does.
        XCTAssertEqual(fx.run(exp).status, 0)
        XCTAssertEqual((fx.object("\(fx.version("gitexp", 1))/metadata.json")["git"] as? [String: Any])?["dirty"] as? Bool, false, "data/ is the run's own output")
        Harness.write("\(fx.dir)/\(exp)/config.yaml", Harness.read("\(fx.dir)/\(exp)/config.yaml") + "\n# edited\n")
        XCTAssertEqual(fx.run(exp).status, 0)
        let g2 = try XCTUnwrap(fx.object("\(fx.version("gitexp", 2))/metadata.json")["git"] as? [String: Any])
        XCTAssertEqual(g2["dirty"] as? Bool, true)
        XCTAssertEqual(g2["modified"] as? [String], ["experiments/gitexp/config.yaml"])

        let show = fx.host(["show", "gitexp"])
        XCTAssertTrue(show.stdout.contains("git: \(head.prefix(12)) (trunk, dirty: 1 file); modified: experiments/gitexp/config.yaml"), show.output)
        let cmp = fx.host(["compare", "gitexp@v0", "gitexp@v2"])
        XCTAssertTrue(cmp.stdout.hasPrefix("run"), cmp.output)
        XCTAssertEqual(cmp.stdout.split(separator: "\n")[0].split(separator: " ", omittingEmptySubsequences: true), ["run", "git.dirty"], cmp.output)
        XCTAssertEqual(fx.host(["report", "gitexp"]).status, 0)
        let html = Harness.read("\(fx.version("gitexp", 2))/report.html")
        XCTAssertTrue(html.contains("\(head) on trunk"), "the report names the commit and branch")
        XCTAssertTrue(html.contains("dirty: 1 modified file(s): experiments/gitexp/config.yaml"))

        // A renamed file with a space in its name: named by its new path, as it is.
        Harness.write("\(fx.dir)/old name.txt", "x")
        git(["add", "old name.txt"], in: fx.dir)
        git(["commit", "-q", "-m", "notes", "--", "old name.txt"], in: fx.dir)
        git(["mv", "old name.txt", "new name.txt"], in: fx.dir)
        XCTAssertEqual(fx.run(exp).status, 0)
        let g3 = try XCTUnwrap(fx.object("\(fx.version("gitexp", 3))/metadata.json")["git"] as? [String: Any])
        XCTAssertEqual(Set(g3["modified"] as? [String] ?? []), ["experiments/gitexp/config.yaml", "new name.txt"])
        XCTAssertNotEqual(g3["commit"] as? String, head, "a new commit")
    }

    func testOutsideARepositoryThereIsNoGitAndNoError() throws {
        let fx = ExperimentFixture("nogit")
        let r = fx.run(fx.experiment("plain", CompareTests.config.replacingOccurrences(of: "name: cmp", with: "name: plain")))
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(r.stderr.lowercased().contains("git"), r.output)
        XCTAssertNil(fx.object("\(fx.version("plain"))/metadata.json")["git"])
        XCTAssertNil(fx.object("\(fx.version("plain"))/provenance.json")["git"])
        XCTAssertFalse(fx.host(["show", "plain"]).stdout.contains("git:"))
    }
}
