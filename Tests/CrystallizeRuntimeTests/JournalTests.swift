@testable import CrystallizeRuntime
import Foundation
import OrderedCollections
import XCTest

/// The binary outcome records and the block-framed checkpoint journal that carries them.
final class JournalTests: XCTestCase {
    func sampleOutcome(_ r: Int, _ condition: String = "baseline", failed: Bool = false) -> ConditionOutcome {
        var steps = ByteWriter()
        StepRecord(step: "add", cacheHit: true, inputHash: String(repeating: "a", count: 64), outputHash: String(repeating: "b", count: 64),
                   reads: ["delta": .int(10)], writes: ["note": .string("hi")],
                   metrics: [RecordedMetric(name: "total", value: .double(-0.0)), RecordedMetric(name: "total", value: .double(.nan))])
            .encode(into: &steps)
        StepRecord(step: "plain", cacheHit: false, inputHash: nil, outputHash: nil, reads: [:], writes: [:], metrics: []).encode(into: &steps)
        return ConditionOutcome(replicate: r, condition: condition, seedUsed: UInt64(r) * 31337,
                                metricLog: [RecordedMetric(name: "total", value: .double(-0.0)), RecordedMetric(name: "total", value: .double(.nan))],
                                metricTags: ["total": ["a", "b"]], encodedSteps: steps.bytes, stepCount: 2,
                                failure: failed ? Failure(step: "plain", message: "boom") : nil)
    }

    func testValuesRoundTripBitForBit() throws {
        let array = DoubleArray.copy(of: [1.5, -0.0, .infinity])
        let values: [Value] = [.null, .bool(true), .bool(false), .int(-5), .int(.max), .int(.min), .double(-0.0),
                               .double(Double(bitPattern: 0x7FF8_0000_0000_0001)), .string("héllo"), .bytes([0, 255]),
                               .list([.int(1), .string("x")]), .map(["b": .int(2), "a": .doubles(array)]), .doubles(DoubleArray.zeros(0))]
        for v in values {
            var w = ByteWriter()
            w.value(v)
            var r = ByteReader(w.bytes)
            let back = try r.value()
            XCTAssertTrue(r.isAtEnd)
            var again = ByteWriter()
            again.value(back)
            XCTAssertEqual(again.bytes, w.bytes, "\(v) reads back to the same bits")
        }
        var w = ByteWriter()
        w.value(.double(-0.0))
        var r = ByteReader(w.bytes)
        guard case .double(let d) = try r.value() else { return XCTFail("not a double") }
        XCTAssertEqual(d.sign, .minus, "-0.0 keeps its sign: resumed results must print it as the first run did")
    }

    func testTruncatedRecordsAreErrorsNotCrashes() {
        let record = sampleOutcome(3).record
        for cut in [0, 1, record.count / 2, record.count - 1] {
            XCTAssertThrowsError(try ConditionOutcome(record: Array(record.prefix(cut))), "cut at \(cut)")
        }
        XCTAssertThrowsError(try ConditionOutcome(record: record + [0]), "trailing bytes")
    }

    func testOutcomesRoundTripThroughRecordsAndWireLines() throws {
        let o = sampleOutcome(7, "add_ten", failed: true)
        XCTAssertEqual(try ConditionOutcome(record: o.record).record, o.record)
        XCTAssertEqual(try WorkerPipeFormat.outcome(line: WorkerPipeFormat.outcomeLine(o)).record, o.record)
        let steps = try ConditionOutcome(record: o.record).steps()
        XCTAssertEqual(steps.map(\.step), ["add", "plain"])
        XCTAssertEqual(steps[0].reads, ["delta": .int(10)])
        XCTAssertEqual(steps[0].inputHash?.count, 64)
        XCTAssertNil(steps[1].outputHash)
        XCTAssertEqual(steps[0].cacheHit, true)
        XCTAssertThrowsError(try WorkerPipeFormat.outcome(line: "not base64!"))
    }

    func testJournalSurvivesTornBlocksAndReadsWhatFollows() throws {
        let path = Self.freshJournalPath()
        do {
            let j = try CheckpointJournal(path: path)
            for r in 0..<5 { j.append(sampleOutcome(r)) }
            j.sync()
        }
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        XCTAssertEqual(CheckpointJournal.read(bytes: bytes).outcomes.map(\.replicate), [0, 1, 2, 3, 4])
        // A crash mid-block leaves a torn block; a resumed run appends after it.
        let torn = Array(CheckpointJournal.encode([sampleOutcome(9)]).dropLast(5))
        let later = CheckpointJournal.encode([sampleOutcome(5), sampleOutcome(6, "add_ten")])
        bytes += torn + later
        let (outcomes, damaged) = CheckpointJournal.read(bytes: bytes)
        XCTAssertEqual(damaged, 1)
        XCTAssertEqual(outcomes.map(\.replicate), [0, 1, 2, 3, 4, 5, 6])
        XCTAssertEqual(outcomes.last?.condition, "add_ten")
        // A flipped bit in a block's payload fails its checksum: that block is skipped, none other.
        var flipped = CheckpointJournal.encode([sampleOutcome(1)]) + later
        flipped[30] ^= 1
        let (kept, bad) = CheckpointJournal.read(bytes: flipped)
        XCTAssertEqual(bad, 1)
        XCTAssertEqual(kept.map(\.replicate), [5, 6])
        XCTAssertEqual(CheckpointJournal.read(bytes: Array("not a journal".utf8)).damaged, 1)
    }

    func testBufferedAppendsReachTheFileWithinTheFlushInterval() throws {
        let path = Self.freshJournalPath()
        let j = try CheckpointJournal(path: path, flushInterval: 0.05)
        // The first append after a quiet spell is written at once (by the journal's writer
        // queue); the next waits for the deferred write. Neither needs a further append or sync.
        j.append(sampleOutcome(0))
        Self.waitForRecords(at: path, count: 1)
        j.append(sampleOutcome(1))
        Self.waitForRecords(at: path, count: 2)
        XCTAssertEqual(CheckpointJournal.read(path).outcomes.map(\.replicate), [0, 1], "without any further append or sync")
        withExtendedLifetime(j) {}
    }

    func testAFullQueueIsWrittenWithoutWaitingForTheInterval() throws {
        let path = Self.freshJournalPath()
        // An interval no test would wait for: only the queue bound can make these reach the file.
        let j = try CheckpointJournal(path: path, flushInterval: 3600)
        j.append(sampleOutcome(0))
        Self.waitForRecords(at: path, count: 1)
        for r in 1...CheckpointJournal.maximumQueued { j.append(sampleOutcome(r)) }
        Self.waitForRecords(at: path, count: 2)
        XCTAssertEqual(CheckpointJournal.read(path).outcomes.map(\.replicate), Array(0...CheckpointJournal.maximumQueued))
        j.sync()
        withExtendedLifetime(j) {}
    }

    /// A journal path in a folder of its own.
    private static func freshJournalPath() -> String {
        NSTemporaryDirectory() + "journal-\(UUID().uuidString)/replicates.journal"
    }

    /// Waits (at most 60 s, a generous bound for a loaded machine) until the journal at `path`
    /// holds at least `count` intact records.
    private static func waitForRecords(at path: String, count: Int) {
        let deadline = Date().addingTimeInterval(60)
        while CheckpointJournal.read(path).outcomes.count < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
    }
}
