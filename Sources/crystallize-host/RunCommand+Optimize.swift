import ArgumentParser
import CrystallizeRuntime
import Foundation

extension Run {
    /// An experiment with `optimize:`: the search, its trial table and best treatment.
    func optimize(_ o: RunOverrides) async throws {
        let cancel = CancellationFlag()
        let interrupts = InterruptHandler(cancel: cancel)
        defer { withExtendedLifetime(interrupts) {} }
        let (bus, eventLines) = eventBus()
        defer { withExtendedLifetime(eventLines) {} }
        let result: OptimizationResult
        do {
            result = try await OptimizationRunner.run(target: target, overrides: o, strategy: strategy.flatMap(RunStrategy.init(rawValue:)) ?? .rerun,
                                                      showProgress: !quiet && !json && ProgressReporter.stderrIsTerminal, cancel: cancel,
                                                      events: bus, waitForLock: wait, log: printLog)
        } catch {
            exitForRunError(error)
        }
        let text = json ? JSONText.encode(result.json, indent: 2) : result.summary
        if events == "-" { warn(text) } else { print(text) }
        if result.cancelled { throw ExitCode(130) }
        if !result.succeeded { throw ExitCode(1) }
    }
}
