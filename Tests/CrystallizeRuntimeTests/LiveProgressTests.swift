@testable import CrystallizeRuntime
import Foundation
import XCTest

/// Following a running run's journal: each read decodes only what was appended since the last.
final class LiveProgressTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "live-progress-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try AtomicFile.write("\(dir)/metadata.json", text: JSONText.encode(.map([
            "status": .string("running"), "replicates": .int(10), "conditions": .list([.string("baseline"), .string("t")]),
            "started": .string("2026-12-02T00:00:00Z")])))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    var journalPath: String { "\(dir)/\(RunStore.journalFileName)" }

    func outcome(_ r: Int, _ c: String = "baseline", failed: Bool = false) -> ConditionOutcome {
        ConditionOutcome(replicate: r, condition: c, seedUsed: UInt64(r), metricLog: [RecordedMetric(name: "total", value: .double(Double(r)))],
                         metricTags: [:], encodedSteps: [], stepCount: 0, failure: failed ? Failure(step: "add", message: "boom \(r)") : nil)
    }

    func append(_ bytes: [UInt8]) throws {
        let h = try XCTUnwrap(FileHandle(forWritingAtPath: journalPath))
        try h.seekToEnd()
        try h.write(contentsOf: Data(bytes))
        try h.close()
    }

    func size() -> Int { (try? FileManager.default.attributesOfItem(atPath: journalPath)[.size] as? Int) ?? -1 }

    func testEachReadDecodesOnlyTheNewBlocks() throws {
        _ = FileManager.default.createFile(atPath: journalPath, contents: Data(CheckpointJournal.encode([outcome(0), outcome(0, "t"), outcome(1)])))
        var reader = LiveProgressReader(versionDirectory: dir)
        var p = try reader.read()
        XCTAssertEqual(p.done, 3)
        XCTAssertEqual(p.total, 20)
        XCTAssertEqual(reader.journalBytesRead, size())

        try append(CheckpointJournal.encode([outcome(1, "t", failed: true), outcome(2)]))
        p = try reader.read()
        XCTAssertEqual(p.done, 5)
        XCTAssertEqual(p.failures, 1)
        XCTAssertEqual(p.recentFailures, ["replicate 1, t, add: boom 1"])
        XCTAssertEqual(reader.journalBytesRead, size(), "the second read took only the bytes appended after the first")

        // A retried pair counts once, as its latest attempt.
        try append(CheckpointJournal.encode([outcome(1, "t")]))
        p = try reader.read()
        XCTAssertEqual(p.done, 5)
        XCTAssertEqual(p.failures, 0)
        // Nothing new: nothing read.
        let read = reader.journalBytesRead
        XCTAssertEqual(try reader.read().done, 5)
        XCTAssertEqual(reader.journalBytesRead, read)
        // The one-shot read agrees with the follower.
        XCTAssertEqual(try LiveProgress.read(versionDirectory: dir).state, p.state)
    }

    func testABlockStillBeingWrittenWaitsForTheNextRead() throws {
        _ = FileManager.default.createFile(atPath: journalPath, contents: Data(CheckpointJournal.encode([outcome(0)])))
        var reader = LiveProgressReader(versionDirectory: dir)
        XCTAssertEqual(try reader.read().done, 1)
        let block = CheckpointJournal.encode([outcome(3), outcome(4)])
        try append(Array(block.prefix(block.count / 2)))
        XCTAssertEqual(try reader.read().done, 1, "half a block is not read yet")
        try append(Array(block.dropFirst(block.count / 2)))
        XCTAssertEqual(try reader.read().done, 3)
    }

    func testATornBlockLongerThanWhatFollowsItIsReadPast() throws {
        _ = FileManager.default.createFile(atPath: journalPath, contents: Data(CheckpointJournal.encode([outcome(0), outcome(1)])))
        var reader = LiveProgressReader(versionDirectory: dir)
        XCTAssertEqual(try reader.read().done, 2)
        // The run died a few bytes into a long block; the resumed run's first block is shorter
        // than the length the torn header announces, so that block is never "finished".
        let torn = CheckpointJournal.encode((5..<9).map { outcome($0) })
        try append(Array(torn.prefix(CheckpointJournal.headerSize + 6)))
        XCTAssertEqual(try reader.read().done, 2, "an unfinished block alone waits")
        let resumed = CheckpointJournal.encode([outcome(3)])
        XCTAssertLessThan(resumed.count, torn.count - CheckpointJournal.headerSize - 6)
        try append(resumed)
        XCTAssertEqual(try reader.read().done, 3, "the resumed run's block is counted")
        try append(CheckpointJournal.encode([outcome(4, "t")]))
        XCTAssertEqual(try reader.read().done, 4, "and so is every later one")
    }

    func testDamageOrACutBackFileIsReadWholeAgain() throws {
        _ = FileManager.default.createFile(atPath: journalPath, contents: Data(CheckpointJournal.encode([outcome(0), outcome(1)])))
        var reader = LiveProgressReader(versionDirectory: dir)
        XCTAssertEqual(try reader.read().done, 2)
        // A torn block, then a block a resumed run appended after it.
        let torn = CheckpointJournal.encode([outcome(5)])
        try append(Array(torn.prefix(torn.count - 3)) + CheckpointJournal.encode([outcome(6), outcome(7, failed: true)]))
        var p = try reader.read()
        XCTAssertEqual(p.done, 4, "the torn block is skipped, the block after it counted: \(p)")
        XCTAssertEqual(p.failures, 1)
        // A rerun replaced the journal with a shorter one.
        _ = FileManager.default.createFile(atPath: journalPath, contents: Data(CheckpointJournal.encode([outcome(9)])))
        p = try reader.read()
        XCTAssertEqual(p.done, 1)
        XCTAssertEqual(p.failures, 0)
        // Outcomes beyond the metadata's replicates or conditions are not counted.
        try append(CheckpointJournal.encode([outcome(10), outcome(2, "other")]))
        XCTAssertEqual(try reader.read().done, 1)
    }
}
