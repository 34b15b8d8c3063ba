import ArgumentParser
import CrystallizeRuntime
import Foundation

extension Run {
    /// An experiment with `optimize:`: the search, its trial table and best treatment.
    func optimize(_ o: RunOverrides) async throws {
        let cancel = CancellationFlag()
        let interrupts = InterruptHandler(cancel: cancel)
        defer { withExtendedLifetime(interrupts) {} }
        let bus = RunEventBus()
        var eventLines: EventLineWriter? = nil
        if let events {
            do { eventLines = try EventLineWriter(path: events) } catch { exitWith("error: \(error)", code: 2) }
            bus.subscribe(eventLines!)
        }
        defer { withExtendedLifetime(eventLines) {} }
        let result: OptimizationResult
        do {
            result = try await OptimizationRunner.run(target: target, overrides: o, strategy: strategy.flatMap(RunStrategy.init(rawValue:)) ?? .rerun,
                                                      showProgress: !quiet && !json && ProgressReporter.stderrIsTerminal, cancel: cancel,
                                                      events: bus, waitForLock: wait, log: warn)
        } catch let stopped as JournalWriteFailure {
            exitWith("error: \(stopped)", code: 1)
        } catch let stopped as ResultsWriteFailure {
            exitWith("error: \(stopped)", code: 1)
        } catch {
            exitWith("error: \(error)", code: 2)
        }
        let text = json ? JSONText.encode(result.json, indent: 2) : result.summary
        if events == "-" { warn(text) } else { print(text) }
        if result.cancelled { throw ExitCode(130) }
        if !result.succeeded { throw ExitCode(1) }
    }
}
