import OrderedCollections

/// One thing that happened in a run, as the engine publishes it to subscribers (the progress
/// line, hooks, the run screen, the dashboard, `run --events`).
///
/// Events are plain values: they cross threads, and from worker processes and plugin run loops
/// they travel as JSON lines and are published again in the parent (`init?(json:)`).
public enum RunEvent: Equatable, Sendable {
    /// A run began executing `pending` of `replicates` replicates.
    case runStarted(RunStarted)
    /// One (replicate, condition) began.
    case replicateStarted(experiment: String, replicate: Int, condition: String)
    /// A step (or the datasource, named "<datasource>") began in one (replicate, condition).
    case stepStarted(experiment: String, replicate: Int, condition: String, step: String)
    /// A step finished; `cacheHit` when its output came from the step cache.
    case stepFinished(experiment: String, replicate: Int, condition: String, step: String, durationS: Double, cacheHit: Bool)
    /// One (replicate, condition) finished, successfully or not.
    case replicateFinished(experiment: String, replicate: Int, condition: String, durationS: Double, succeeded: Bool)
    /// A log line from a plugin (`host->log`) or the engine, at a `LogLevel`.
    case log(experiment: String, replicate: Int?, condition: String?, step: String?, level: LogLevel, message: String)
    /// A (replicate, condition) failed in `step`.
    case failure(experiment: String, replicate: Int, condition: String, step: String, message: String)
    /// A strategy's one-line progress message ("slurm: 12 running, 4 pending").
    case progress(experiment: String, message: String)
    /// The run ended with `status`.
    case runFinished(experiment: String, version: Int, status: String, durationS: Double)

    /// The event's name as written in JSON lines (`run_started`, `step_finished`, …).
    public var name: String {
        switch self {
        case .runStarted: return "run_started"
        case .replicateStarted: return "replicate_started"
        case .stepStarted: return "step_started"
        case .stepFinished: return "step_finished"
        case .replicateFinished: return "replicate_finished"
        case .log: return "log"
        case .failure: return "failure"
        case .progress: return "progress"
        case .runFinished: return "run_finished"
        }
    }
}

/// What `run_started` tells: enough for a subscriber to lay out its view of the run.
public struct RunStarted: Equatable, Sendable {
    /// The experiment's name.
    public var experiment: String
    /// The version folder the run writes (vN).
    public var version: Int
    /// The replicate count of the run.
    public var replicates: Int
    /// Condition names, baseline first.
    public var conditions: [String]
    /// Step names in pipeline order, the datasource first.
    public var steps: [String]
    /// (replicate, condition) pairs still to run (fewer than replicates × conditions on resume).
    public var pending: Int
    /// The execution strategy's name (serial, threads, processes, …).
    public var execution: String
    /// rerun or resume.
    public var strategy: String

    /// A `run_started` payload.
    public init(experiment: String, version: Int, replicates: Int, conditions: [String], steps: [String],
                pending: Int, execution: String, strategy: String) {
        self.experiment = experiment
        self.version = version
        self.replicates = replicates
        self.conditions = conditions
        self.steps = steps
        self.pending = pending
        self.execution = execution
        self.strategy = strategy
    }
}

/// A log line's level: the `CRYS_LOG_*` values of the header.
public enum LogLevel: Int32, Sendable, CaseIterable {
    case debug = 0, info = 1, warning = 2, error = 3

    /// The level's lower-case name ("debug", "info", "warning", "error").
    public var label: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }

    /// The level named `label`, if any.
    public init?(label: String) {
        guard let l = LogLevel.allCases.first(where: { $0.label == label }) else { return nil }
        self = l
    }
}
