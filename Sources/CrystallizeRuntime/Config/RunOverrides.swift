/// Command-line choices that override config.yaml for one run.
public struct RunOverrides: Codable, Equatable {
    /// --replicates.
    public var replicates: Int?
    /// --treatment (repeatable): run only these treatments (baseline always runs).
    public var treatments: [String]?
    /// --seed.
    public var seed: UInt64?
    /// --data-dir.
    public var dataRoot: String?
    /// --execution.
    public var execution: String?
    /// --workers.
    public var workers: Int?
    /// --no-cache turns the step cache off.
    public var noCache: Bool = false
    /// --plugin paths given on the command line.
    public var pluginPaths: [String] = []
    /// --set KEY=VALUE (repeatable), applied in order.
    public var settings: [SettingOverride] = []
    /// The run screen's toggles, pinned for this run (workers see what the parent saw);
    /// nil reads the state file beside config.yaml.
    public var toggles: ToggleState? = nil

    /// --retries: further attempts of a failed (replicate, condition), overriding `retries:`.
    public var retries: Int? = nil
    /// --fail-fast: stop scheduling at the first failure that has no retry left.
    public var failFast: Bool = false
    /// --sweep key=v1,v2 (repeatable): grid axes added to the config's sweep.
    public var sweeps: [String] = []
    /// Set by an optimizer for one trial run: these treatments replace the written and swept ones.
    public var trialTreatments: [TrialTreatment]? = nil

    /// Set by an optimizer for one trial run: the target's data root (upstreams keep `dataRoot`).
    public var targetDataRoot: String? = nil

    /// Set by an optimizer for a round that extends its candidates: the index, in the one long
    /// run the rounds make up, of this run's replicate 0. Steps see it in the context's
    /// `replicate` and seeds follow it; the run's own folders and journal count from 0.
    /// Optional so request.json files written before it existed still read.
    public var firstReplicate: Int? = nil

    /// No overrides.
    public init() {}
}
