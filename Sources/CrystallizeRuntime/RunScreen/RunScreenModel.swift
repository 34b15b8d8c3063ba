import Foundation

/// Everything the run screen shows, as plain state: built from the plans, then updated by run
/// events. No terminal, no clock of its own (event times are passed in), so it is tested
/// without either.
public struct RunScreenModel {
    /// A step's live state, summed over the conditions and replicates of the run.
    public enum StepState: Equatable { case pending, running, done, failed }

    /// One step (or the datasource) of an experiment.
    public struct StepRow: Equatable {
        /// Its name.
        public var name: String
        /// Whether it is the datasource.
        public var isDatasource = false
        /// Whether its outputs go to the step cache in this plan.
        public var cached = false
        /// Whether the run screen switched its cache off (`l`).
        public var cacheToggledOff = false
        /// Calls started, finished and failed in this run.
        public var started = 0, finished = 0, failed = 0
        /// Calls answered from the step cache.
        public var cacheHits = 0
        /// Sum of finished calls' durations, in seconds.
        public var durationSum = 0.0
        /// Mean duration of a finished call.
        public var meanDuration: Double? { finished > 0 ? durationSum / Double(finished) : nil }
        /// Pending, running, done or failed.
        public var state: StepState {
            if failed > 0 { return .failed }
            if started > finished + failed { return .running }
            return finished > 0 ? .done : .pending
        }
    }

    /// The baseline or a treatment.
    public struct ConditionRow: Equatable {
        /// Its name.
        public var name: String
        /// False when switched off (`x`): it does not run.
        public var enabled = true
        /// Replicates finished, failed and running in this run.
        public var finished = 0, failed = 0, running = 0
        /// Count, sum and sum of squares of replicate durations, for the summary's elapsed column.
        var elapsedCount = 0, elapsedSum = 0.0, elapsedSquares = 0.0
        /// The mean elapsed time of one replicate of this condition.
        public var elapsedMean: Double? { elapsedCount > 0 ? elapsedSum / Double(elapsedCount) : nil }
        /// The sd of a replicate's elapsed time (nil below two replicates).
        public var elapsedSD: Double? {
            guard elapsedCount > 1, let m = elapsedMean else { return nil }
            return (max(0, elapsedSquares - Double(elapsedCount) * m * m) / Double(elapsedCount - 1)).squareRoot()
        }
        mutating func addElapsed(_ d: Double) { elapsedCount += 1; elapsedSum += d; elapsedSquares += d * d }
    }

    /// Where an experiment's run is.
    public enum Status: String, Equatable { case idle, waiting, running, complete, failed, cancelled, loaded }

    /// One experiment: the target, or one of its upstreams (a graph lists all, in order).
    public struct ExperimentRow: Equatable {
        /// Its name.
        public var name: String
        /// Its config.yaml.
        public var configPath: String
        /// The replicate count planned.
        public var replicates: Int
        /// Conditions, baseline first, switched-off ones included.
        public var conditions: [ConditionRow]
        /// The datasource, then the steps.
        public var steps: [StepRow]
        /// Where its run is.
        public var status: Status = .idle
        /// The version folder being written.
        public var version: Int?
        /// The execution strategy and run strategy (rerun or resume) of the run.
        public var execution = "", strategy = ""
        /// (replicate, condition) pairs this run executes, and how many have finished.
        public var pendingPairs = 0, finishedPairs = 0
        /// Whether a run of it has started on this screen (n/N counts from then).
        public var hasStarted = false
        /// The last progress message of a strategy (plugin run loops, Slurm).
        public var progressMessage: String?
        /// Elapsed seconds of each finished replicate (summed over its conditions).
        public var replicateElapsed: [Int: Double] = [:]
        /// Replicates finished in all conditions before this run (resume) and in it.
        public var replicatesDone: Int {
            // Before its first run_started the screen has counted nothing.
            guard hasStarted else { return 0 }
            let active = max(1, conditions.filter(\.enabled).count)
            let before = max(0, replicates * active - pendingPairs)
            return min(replicates, (before + finishedPairs) / active)
        }
        /// Wall time of the whole run, once finished.
        public var duration: Double?
    }

    /// A log line, with where it came from.
    public struct LogEntry: Equatable {
        /// Its level.
        public var level: LogLevel
        /// The experiment, replicate, condition and step it belongs to, when known.
        public var experiment: String, replicate: Int?, condition: String?, step: String?
        /// The text.
        public var message: String
    }

    /// A failed (replicate, condition).
    public struct ErrorEntry: Equatable {
        /// Where it failed.
        public var experiment: String, replicate: Int, condition: String, step: String
        /// Why.
        public var message: String
    }

    /// The experiments, upstreams first, the target last.
    public var experiments: [ExperimentRow]
    /// Log lines, oldest first (at most `logLimit`).
    public var logs: [LogEntry] = []
    /// Failures, in order.
    public var errors: [ErrorEntry] = []
    /// The experiment and condition a replicate last started in.
    public var currentExperiment: String?, currentCondition: String?
    /// The replicate last started.
    public var currentReplicate: Int?
    /// Whether a run is going on.
    public var running = false
    /// Smoothed seconds between two finished (replicate, condition) pairs: the ETA's basis.
    public private(set) var pairInterval: Double?
    private var lastPairTime: Double?
    /// How many log lines are kept.
    public static let logLimit = 5000

    /// The screen for these experiments, before any run.
    public init(experiments: [ExperimentRow]) { self.experiments = experiments }

    /// The experiment that is running (or ran last), else the target.
    public var focus: ExperimentRow? {
        experiments.first { $0.name == currentExperiment } ?? experiments.last
    }

    /// Seconds until the running experiment finishes, from an exponential moving average of the
    /// time between finished pairs (smoothing 0.3, crystallize-ml's choice of an EMA).
    public var eta: Double? {
        guard running, let e = focus, let interval = pairInterval else { return nil }
        return interval * Double(max(0, e.pendingPairs - e.finishedPairs))
    }

    static let smoothing = 0.3

    /// Updates the state for one event that happened at `time` (seconds, any fixed origin).
    public mutating func apply(_ event: RunEvent, at time: Double) {
        switch event {
        case .runStarted(let s):
            running = true
            let i = row(s.experiment, create: s)
            experiments[i].status = .running
            experiments[i].version = s.version
            experiments[i].execution = s.execution
            experiments[i].strategy = s.strategy
            experiments[i].pendingPairs = s.pending
            experiments[i].hasStarted = true
            experiments[i].finishedPairs = 0
            experiments[i].replicates = s.replicates
            experiments[i].replicateElapsed = [:]
            for c in experiments[i].conditions.indices {
                experiments[i].conditions[c].enabled = s.conditions.contains(experiments[i].conditions[c].name)
                experiments[i].conditions[c].finished = 0; experiments[i].conditions[c].failed = 0
                experiments[i].conditions[c].running = 0
                experiments[i].conditions[c].elapsedCount = 0; experiments[i].conditions[c].elapsedSum = 0; experiments[i].conditions[c].elapsedSquares = 0
            }
            for st in experiments[i].steps.indices {
                let old = experiments[i].steps[st]
                experiments[i].steps[st] = StepRow(name: old.name, isDatasource: old.isDatasource, cached: old.cached, cacheToggledOff: old.cacheToggledOff)
            }
            currentExperiment = s.experiment
            pairInterval = nil
            lastPairTime = time
        case let .replicateStarted(e, r, c):
            currentExperiment = e; currentCondition = c; currentReplicate = r
            update(e, condition: c) { $0.running += 1 }
        case let .stepStarted(e, _, _, s):
            update(e, step: s) { $0.started += 1 }
        case let .stepFinished(e, _, _, s, d, hit):
            update(e, step: s) { $0.finished += 1; $0.durationSum += d; if hit { $0.cacheHits += 1 } }
        case let .replicateFinished(e, r, c, d, ok):
            update(e, condition: c) { row in
                row.running = max(0, row.running - 1)
                if ok { row.finished += 1 } else { row.failed += 1 }
                row.addElapsed(d)
            }
            if let i = experiments.firstIndex(where: { $0.name == e }) {
                experiments[i].finishedPairs += 1
                experiments[i].replicateElapsed[r, default: 0] += d
            }
            if let last = lastPairTime {
                let gap = max(0, time - last)
                pairInterval = pairInterval.map { Self.smoothing * gap + (1 - Self.smoothing) * $0 } ?? gap
            }
            lastPairTime = time
        case let .log(e, r, c, s, level, message):
            appendLog(LogEntry(level: level, experiment: e, replicate: r, condition: c, step: s, message: message))
        case let .failure(e, r, c, s, message):
            errors.append(ErrorEntry(experiment: e, replicate: r, condition: c, step: s, message: message))
            update(e, step: s) { $0.failed += 1 }
            appendLog(LogEntry(level: .error, experiment: e, replicate: r, condition: c, step: s, message: message))
        case let .progress(e, message):
            if let i = experiments.firstIndex(where: { $0.name == e }) { experiments[i].progressMessage = message }
            appendLog(LogEntry(level: .info, experiment: e, replicate: nil, condition: nil, step: nil, message: message))
        case let .runFinished(e, v, status, d):
            if let i = experiments.firstIndex(where: { $0.name == e }) {
                experiments[i].version = v
                experiments[i].duration = d
                experiments[i].status = Status(rawValue: status) ?? (status == "incomplete" ? .failed : .complete)
                for c in experiments[i].conditions.indices { experiments[i].conditions[c].running = 0 }
            }
        }
    }

    /// A log line that did not come as an event (the engine's warnings, captured stderr).
    public mutating func appendLog(_ entry: LogEntry) {
        logs.append(entry)
        if logs.count > Self.logLimit { logs.removeFirst(logs.count - Self.logLimit) }
    }

    /// The session ended: experiments still marked running stop, loaded ones say so.
    public mutating func finishSession(results: [RunResult], cancelled: Bool) {
        running = false
        for r in results {
            guard let i = experiments.firstIndex(where: { $0.name == r.experiment }) else { continue }
            experiments[i].version = r.version
            if r.loadedFromDisk {
                experiments[i].status = .loaded
                for c in experiments[i].conditions.indices where experiments[i].conditions[c].enabled {
                    experiments[i].conditions[c].finished = r.replicates
                }
                continue
            }
            experiments[i].duration = experiments[i].duration ?? r.elapsed
            experiments[i].status = r.cancelled ? .cancelled : (r.succeeded ? .complete : .failed)
        }
        for i in experiments.indices where experiments[i].status == .running || experiments[i].status == .waiting {
            experiments[i].status = cancelled ? .cancelled : .failed
        }
    }

    /// A run is about to start: every experiment waits for its turn.
    public mutating func beginSession() {
        running = true
        errors = []
        pairInterval = nil
        for i in experiments.indices { experiments[i].status = .waiting }
    }

    private mutating func row(_ name: String, create s: RunStarted) -> Int {
        if let i = experiments.firstIndex(where: { $0.name == name }) { return i }
        experiments.append(ExperimentRow(name: name, configPath: "", replicates: s.replicates,
                                         conditions: s.conditions.map { ConditionRow(name: $0) },
                                         steps: s.steps.map { StepRow(name: $0) }))
        return experiments.count - 1
    }

    private mutating func update(_ e: String, condition: String, _ body: (inout ConditionRow) -> Void) {
        guard let i = experiments.firstIndex(where: { $0.name == e }), let c = experiments[i].conditions.firstIndex(where: { $0.name == condition }) else { return }
        body(&experiments[i].conditions[c])
    }

    private mutating func update(_ e: String, step: String, _ body: (inout StepRow) -> Void) {
        guard let i = experiments.firstIndex(where: { $0.name == e }), let s = experiments[i].steps.firstIndex(where: { $0.name == step }) else { return }
        body(&experiments[i].steps[s])
    }
}

extension RunScreenModel.ExperimentRow {
    /// The row for a planned experiment: its conditions (those switched off included) and steps.
    public init(plan: Plan) {
        var conditions = plan.conditions.map { RunScreenModel.ConditionRow(name: $0.name) }
        conditions += plan.toggles.disabledTreatments.map { RunScreenModel.ConditionRow(name: $0, enabled: false) }
        let steps = plan.allSteps.map { s in
            RunScreenModel.StepRow(name: s.name, isDatasource: s.name == plan.datasource?.name, cached: s.cacheable,
                                   cacheToggledOff: plan.toggles.uncachedSteps.contains(s.name))
        }
        self.init(name: plan.name, configPath: plan.configPath, replicates: plan.replicates, conditions: conditions, steps: steps)
    }
}
