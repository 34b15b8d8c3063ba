import Foundation

/// What a `ReplicateRunner` publishes while it runs a (replicate, condition): replicate and
/// step starts and ends, failures and plugin log lines. A runner holds one only when its bus
/// has a subscriber, so an unwatched run pays one nil check per step and reads no clock.
final class ReplicateEvents {
    let bus: RunEventBus
    let experiment: String

    /// An emitter for `experiment`, or nil when nobody listens to `bus`.
    init?(bus: RunEventBus, experiment: String) {
        guard bus.isActive else { return nil }
        self.bus = bus
        self.experiment = experiment
    }

    /// A monotonic clock reading, for durations.
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func seconds(since start: UInt64) -> Double { Double(now() &- start) / 1e9 }

    /// Publishes `replicate_started`; returns the start time.
    func replicateStarted(_ r: Int, _ condition: String) -> UInt64 {
        bus.publish(.replicateStarted(experiment: experiment, replicate: r, condition: condition))
        return Self.now()
    }

    /// Publishes `step_started`; returns the start time.
    func stepStarted(_ r: Int, _ condition: String, _ step: String) -> UInt64 {
        bus.publish(.stepStarted(experiment: experiment, replicate: r, condition: condition, step: step))
        return Self.now()
    }

    /// Publishes `step_finished`.
    func stepFinished(_ r: Int, _ condition: String, _ step: String, since start: UInt64, cacheHit: Bool) {
        let d = Self.seconds(since: start)
        bus.publish(.stepFinished(experiment: experiment, replicate: r, condition: condition, step: step, durationS: d, cacheHit: cacheHit))
    }

    /// Publishes `failure` (when there is one), then `replicate_finished`.
    func replicateFinished(_ r: Int, _ condition: String, since start: UInt64, failure: Failure?) {
        let d = Self.seconds(since: start)
        if let failure { bus.publish(.failure(experiment: experiment, replicate: r, condition: condition, step: failure.step, message: failure.message)) }
        bus.publish(.replicateFinished(experiment: experiment, replicate: r, condition: condition, durationS: d, succeeded: failure == nil))
    }

    /// Publishes a step's `log` line.
    func log(_ r: Int, _ condition: String, _ step: String, _ level: LogLevel, _ message: String) {
        bus.publish(.log(experiment: experiment, replicate: r, condition: condition, step: step, level: level, message: message))
    }
}

extension RunEventBus {
    /// Publishes what a (replicate, condition) that never ran in a runner ended with (a worker
    /// that died, a strategy that gave up on it): `failure` and `replicate_finished`.
    func publishUnrun(experiment: String, _ outcome: ConditionOutcome) {
        guard isActive else { return }
        if let f = outcome.failure {
            publish(.failure(experiment: experiment, replicate: outcome.replicate, condition: outcome.condition, step: f.step, message: f.message))
        }
        publish(.replicateFinished(experiment: experiment, replicate: outcome.replicate, condition: outcome.condition, durationS: 0, succeeded: outcome.failure == nil))
    }
}
