@testable import CrystallizeRuntime
import Foundation
import XCTest

final class RunLockUnitTests: XCTestCase {
    private func folder() -> String {
        let d = NSTemporaryDirectory() + "runlock-\(UUID().uuidString.prefix(8))/data/exp"
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    func testASecondHolderIsRefusedUntilTheFirstReleases() throws {
        let dir = folder()
        let first = try RunLock.acquire(dir)
        XCTAssertEqual(RunLock.holder(of: dir)?.pid, getpid())
        XCTAssertThrowsError(try RunLock.acquire(dir)) { e in
            guard let busy = e as? RunLock.Busy else { return XCTFail("\(e)") }
            XCTAssertEqual(busy.holder?.pid, getpid())
            XCTAssertTrue(busy.description.contains("is in use by another run: pid \(getpid()) on host"), busy.description)
        }
        first.release()
        XCTAssertNil(RunLock.holder(of: dir), "released: the file is gone")
        let again = try RunLock.acquire(dir)
        XCTAssertNil(again.tookOverFrom)
    }

    func testALeftoverFromAnotherHostWhoseFileLockIsFreeIsTakenOver() throws {
        let dir = folder()
        let leftover = #"{"command":"crystallize-host run x","host":"login-node-7","pid":4242,"started":"2026-01-01T00:00:00Z"}"#
        try leftover.write(toFile: "\(dir)/\(RunLock.fileName)", atomically: true, encoding: .utf8)
        var notes: [String] = []
        let lock = try RunLock.acquire(dir) { notes.append($0) }
        XCTAssertEqual(lock.tookOverFrom?.host, "login-node-7")
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes[0].contains("pid 4242 on host login-node-7"), notes[0])
        XCTAssertEqual(RunLock.holder(of: dir)?.pid, getpid())
    }

    func testAnUnreadableLockFileHeldByALiveLockIsBusyWithoutAHolder() throws {
        let dir = folder()
        let path = "\(dir)/\(RunLock.fileName)"
        _ = FileManager.default.createFile(atPath: path, contents: Data("garbage".utf8))
        let fd = open(path, O_RDWR)
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
        defer { close(fd) }
        XCTAssertThrowsError(try RunLock.acquire(dir)) { e in
            XCTAssertTrue("\(e)".contains("holder unknown"), "\(e)")
        }
    }
}
