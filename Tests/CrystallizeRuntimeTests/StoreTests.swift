@testable import CrystallizeRuntime
import Foundation
import XCTest

/// The on-disk pieces: artifact names, atomic writes, results and markers.
final class StoreTests: XCTestCase {
    func temporary() -> String {
        let dir = NSTemporaryDirectory() + "store-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func testArtifactNamesStayInTheirFolder() {
        for bad in ["", ".", "..", "../x", "..x", "a/b", "/abs", "a\\b", "nul\0byte"] {
            XCTAssertThrowsError(try ArtifactPaths.checkName(bad, step: "s"), "'\(bad)' must be refused") { e in
                XCTAssertTrue("\(e)".hasPrefix("step 's' tried to write artifact"), "\(e)")
            }
        }
        for good in ["sum.txt", "a..b", ".hidden", "x.tar.gz", "名前.txt"] {
            XCTAssertNoThrow(try ArtifactPaths.checkName(good, step: "s"), good)
        }
        XCTAssertEqual(ArtifactPaths.file(versionDirectory: "/d/v0", replicate: 3, condition: "more", step: "c_add", name: "sum.txt"),
                       "/d/v0/replicate_3/more/c_add/sum.txt")
    }

    func testAtomicWritesReplaceWholeFilesAndLeaveNoTemporaries() throws {
        let dir = temporary()
        let path = dir + "/deep/er/file.json"
        try AtomicFile.write(path, text: "first, and longer")
        try AtomicFile.write(path, text: "second")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "second")
        try AtomicFile.write(dir + "/deep/er/unsynced", bytes: [1, 2, 3], sync: false)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/deep/er").sorted(), ["file.json", "unsynced"])
        // A parent that is a file: the error names the path, and nothing is left behind.
        XCTAssertThrowsError(try AtomicFile.write(path + "/child", text: "x")) { e in
            XCTAssertTrue("\(e)".contains("file.json"), "\(e)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/deep/er").sorted(), ["file.json", "unsynced"])
    }

    func testResultsAndMarkersFollowCompleteness() throws {
        let store = RunStore(dataRoot: temporary(), experiment: "e")
        let failed = ConditionOutcome.failed(replicate: 1, condition: "more", seedUsed: 31337, step: "c_crash", message: "boom")
        try store.writeResults(0, "more", metrics: ["m": [.double(1), .double(2)]], errors: [failed], complete: false)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.markerPath(0, "more")))
        let body = try JSONText.parseFile(store.resultsPath(0, "more"))
        XCTAssertEqual(body, .map(["metrics": .map(["m": .list([.double(1), .double(2)])]),
                                   "errors": .list([.map(["replicate": .int(1), "condition": .string("more"),
                                                          "step": .string("c_crash"), "message": .string("boom")])])]))
        try store.writeResults(0, "more", metrics: ["m": [.double(1)]], errors: [], complete: true)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.markerPath(0, "more")))
        XCTAssertEqual(try store.readResults(0, "more"), ["m": [.double(1)]])
        XCTAssertTrue(store.isComplete(0, conditions: ["more"]))
        XCTAssertFalse(store.isComplete(0, conditions: ["more", "baseline"]))
        // Rewriting as incomplete takes the marker away first.
        try store.writeResults(0, "more", metrics: [:], errors: [failed], complete: false)
        XCTAssertFalse(store.isComplete(0, conditions: ["more"]))
        try "{\"metrics\": [1]}".write(toFile: store.resultsPath(0, "more"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try store.readResults(0, "more")) { e in XCTAssertTrue("\(e)".contains(store.resultsPath(0, "more")), "\(e)") }
    }

    func testVersionsSortNumericallyAndTheManifestListsArtifacts() throws {
        let root = temporary()
        let store = RunStore(dataRoot: root, experiment: "e")
        for v in ["v10", "v2", "v0", "vx", "notes"] {
            try FileManager.default.createDirectory(atPath: "\(store.experimentDirectory)/\(v)", withIntermediateDirectories: true)
        }
        XCTAssertEqual(store.versions(), [0, 2, 10])
        try AtomicFile.write(ArtifactPaths.file(versionDirectory: store.versionDirectory(2), replicate: 0, condition: "baseline", step: "s", name: "a.txt"), text: "a")
        try AtomicFile.write(ArtifactPaths.file(versionDirectory: store.versionDirectory(2), replicate: 1, condition: "more", step: "t", name: "b.bin"), text: "b")
        try store.writeManifest(2)
        XCTAssertEqual(store.readManifest(2), ["a.txt": "s", "b.bin": "t"])
        XCTAssertEqual(store.readManifest(0), [:])
    }
}
