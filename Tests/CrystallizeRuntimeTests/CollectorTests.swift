@testable import CrystallizeRuntime
import XCTest

/// What the outcome collector keeps for aggregation, and how a later outcome of the same
/// (replicate, condition) replaces an earlier one.
final class CollectorTests: XCTestCase {
    private func outcome(_ r: Int, _ condition: String, total: Double? = nil, failed: Bool = false) -> ConditionOutcome {
        ConditionOutcome(replicate: r, condition: condition, seedUsed: UInt64(r), metricLog: total.map { [RecordedMetric(name: "total", value: .double($0))] } ?? [],
                         metricTags: [:], encodedSteps: [1, 2, 3], stepCount: 0,
                         failure: failed ? Failure(step: "s", message: "boom") : nil)
    }

    func testKeepsMetricLogsByConditionAndReplicateAndFailuresWhole() {
        let c = OutcomeCollector(journal: nil, conditions: ["baseline", "add_ten"], replicates: 3)
        c.accept(outcome(2, "add_ten", total: 12))
        c.accept(outcome(0, "add_ten", total: 10))
        c.accept(outcome(1, "add_ten", failed: true))
        c.accept(outcome(0, "baseline", total: 1))
        let treated = c.results(of: "add_ten")
        XCTAssertEqual(treated.logs.map { $0?.map(\.value) }, [[.double(10)], [], [.double(12)]])
        XCTAssertEqual(Array(treated.failed.keys), [1])
        XCTAssertEqual(treated.failed[1]?.failure?.message, "boom")
        XCTAssertEqual(treated.failed[1]?.encodedSteps, [], "step records live on in the journal only")
        XCTAssertEqual(c.results(of: "baseline").logs.map { $0 != nil }, [true, false, false])
        XCTAssertTrue(c.hasOutcome(1, "add_ten"))
        XCTAssertFalse(c.hasOutcome(1, "baseline"))
        XCTAssertFalse(c.hasOutcome(0, "unknown"))
        XCTAssertEqual(c.failures, 1)
    }

    func testALaterSuccessReplacesAnEarlierFailure() {
        let c = OutcomeCollector(journal: nil, conditions: ["baseline"], replicates: 1)
        c.accept(outcome(0, "baseline", failed: true))
        XCTAssertEqual(c.failures, 1)
        c.accept(outcome(0, "baseline", total: 5))
        let r = c.results(of: "baseline")
        XCTAssertTrue(r.failed.isEmpty)
        XCTAssertEqual(r.logs.first??.map(\.value), [.double(5)])
        XCTAssertEqual(c.failures, 0, "the retry's success replaced the failure")
    }

    func testAnOutcomeSubmittedTwiceIsCountedOnce() {
        let c = OutcomeCollector(journal: nil, conditions: ["baseline", "add_ten"], replicates: 2)
        c.accept(outcome(0, "baseline", failed: true))
        c.accept(outcome(0, "baseline", failed: true))
        c.accept(outcome(0, "add_ten", total: 1))
        c.accept(outcome(0, "add_ten", total: 2))
        XCTAssertEqual(c.failures, 1)
        c.accept(outcome(0, "baseline", total: 3))
        XCTAssertEqual(c.failures, 0)
        XCTAssertEqual(c.results(of: "add_ten").logs.first??.map(\.value), [.double(2)], "the later outcome is the one kept")
    }

    /// The progress line counts `replicate_finished` events: one finishing again replaces the
    /// earlier outcome, and conditions an earlier run finished complete their replicate.
    func testTheProgressLineCountsEachConditionOnce() {
        let progress = ProgressReporter(label: "t", total: 2, conditions: 2, enabled: true)
        let bus = RunEventBus()
        bus.subscribe(progress)
        func finished(_ r: Int, _ c: String, _ ok: Bool, experiment: String = "t") {
            bus.publish(.replicateFinished(experiment: experiment, replicate: r, condition: c, durationS: 0.01, succeeded: ok))
        }
        finished(0, "baseline", false)
        finished(0, "baseline", false)
        finished(0, "add_ten", true)
        finished(0, "add_ten", true)
        finished(1, "baseline", true, experiment: "another")
        XCTAssertTrue(progress.line().contains("replicates 1/2  conditions 2/4  errors 1"), progress.line())
        finished(0, "baseline", true)
        XCTAssertTrue(progress.line().contains("replicates 1/2  conditions 2/4  errors 0"), progress.line())
        progress.preload(replicate: 1, condition: "baseline")
        finished(1, "add_ten", true)
        XCTAssertTrue(progress.line().contains("replicates 2/2  conditions 3/4  errors 0"), progress.line())
        bus.publish(.progress(experiment: "t", message: "slurm: 2 running"))
        XCTAssertTrue(progress.line().hasSuffix("| slurm: 2 running"), progress.line())
    }
}
