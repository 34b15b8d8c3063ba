@testable import CrystallizeRuntime
import CCrystallize
import Foundation
import XCTest

/// What the engine knows of a strategy comes from its traits, never from its type or name:
/// where steps run, whether they run concurrently, and whether the run can be detached.
final class StrategyTraitsTests: XCTestCase {
    func strategy(_ name: String, workers: Int = 2, registry: PluginRegistry = PluginRegistry()) throws -> ExecutionStrategy {
        var settings = ExecutionSettings()
        settings.strategy = name
        settings.workers = workers
        return try ExecutionStrategies.make(settings, registry: registry)
    }

    func testBuiltInStrategiesDeclareWhereAndHowStepsRun() throws {
        XCTAssertEqual(try strategy("serial").traits, StrategyTraits())
        XCTAssertEqual(try strategy("threads").traits, StrategyTraits(callsStepsConcurrently: true))
        XCTAssertEqual(try strategy("processes").traits, StrategyTraits(runsStepsInProcess: false))
        XCTAssertEqual(try strategy("async", workers: 1).traits, StrategyTraits())
        XCTAssertEqual(try strategy("async", workers: 4).traits, StrategyTraits(callsStepsConcurrently: true))
    }

    func testOnlyAStrategyThatFollowsLoopModesCanBeDetached() throws {
        let registry = PluginRegistry()
        try registry.load(PlannerTests.plugin("CTestPlugin"))
        let loop = try strategy("c_reverse", registry: registry)
        XCTAssertEqual(loop.traits, StrategyTraits(followsLoopModes: true), "a plugin's run loop runs in process and reads the loop mode")
        let dir = NSTemporaryDirectory() + "traits-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "name: t\ndatasource: c_range\nsteps: [c_add]\n".write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        var o = RunOverrides()
        o.pluginPaths = [PlannerTests.plugin("CTestPlugin")]
        o.execution = "c_reverse"
        XCTAssertNoThrow(try DetachAction.check(try ExperimentGraph.resolvedPlan(target: dir, registry: registry, overrides: o), mode: CRYS_LOOP_DETACH))
        o.execution = "threads"
        let serial = try ExperimentGraph.resolvedPlan(target: dir, registry: registry, overrides: o)
        XCTAssertNoThrow(try DetachAction.check(serial, mode: CRYS_LOOP_RUN))
        XCTAssertThrowsError(try DetachAction.check(serial, mode: CRYS_LOOP_CANCEL)) {
            XCTAssertEqual("\($0)", "cancel needs a cluster execution strategy (e.g. --execution slurm); 'threads' runs replicates inside this process")
        }
    }
}
