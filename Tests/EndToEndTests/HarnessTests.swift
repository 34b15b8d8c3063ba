import ChildProcesses
import Foundation
import XCTest

/// The reliability harness (scripts/harness), run at small counts so CI keeps it true; the
/// README gives the figures of the full default counts.
final class HarnessTests: XCTestCase {
    private func script(_ name: String, _ count: Int, needs python: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        if python && !FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") {
            if ProcessInfo.processInfo.environment["CRYSTALLIZE_TEST_HARNESS"] == "1" { XCTFail("python3 is missing", file: file, line: line) }
            throw XCTSkip("python3 is not installed (.ci/setup.d/50-harness.sh installs it)")
        }
        let r = Command(Harness.repoRoot.appendingPathComponent("scripts/harness/\(name)").path, ["\(count)"],
                        environment: ["PRODUCTS": Harness.productsDirectory.path]).runBlocking()
        let text = r.stdout + r.stderr
        XCTAssertEqual(r.status, 0, text, file: file, line: line)
        return text
    }

    func testKillAtRandomMomentsThenResumeGivesIdenticalResults() throws {
        let out = try script("kill-resume.sh", 6)
        XCTAssertTrue(out.contains("kill-resume: 6 trial(s) ( serial 2, threads 2, processes 2 )"), out)
        XCTAssertTrue(out.contains(", 0 failure(s)"), out)
    }

    func testMutatedConfigsNeverCrashOrHangAndRefusalsNameFileAndLine() throws {
        let out = try script("mutate-configs.sh", 40, needs: true)
        XCTAssertTrue(out.contains("mutate-configs: 40 mutated config(s)"), out)
        XCTAssertTrue(out.contains(" 0 problem(s)"), out)
    }

    func testCorruptedStoresAreRefusedNamingTheFileOrGiveIdenticalResults() throws {
        let out = try script("corrupt-stores.sh", 10, needs: true)
        XCTAssertTrue(out.contains("corrupt-stores: 10 corruption(s) x 4 commands"), out)
        XCTAssertTrue(out.contains(" 0 problem(s)"), out)
    }
}
