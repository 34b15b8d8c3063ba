/// How a run stands: the one status that metadata.json, provenance.json, the `after_run`
/// hook, `run_finished` and the summary all report.
///
/// Files keep the words earlier hosts wrote (metadata.json says `incomplete` for a failed
/// run, the hook's `outcome` says `incomplete` for anything not complete), so every run ever
/// written reads the same; the words are spelled in this one place.
public enum RunStatus: String, Sendable, CaseIterable {
    /// Still executing (metadata.json while the run is under way).
    case running
    /// Every (replicate, condition) finished successfully.
    case complete
    /// Some (replicate, condition) failed or never ran.
    case failed
    /// Ctrl-C (or a stop) cut the run short before everything finished.
    case cancelled
    /// Submitted to a cluster by `run --detach`; `attach` follows and finishes it.
    case detached

    /// The status of a finished run: complete when everything finished, whatever stopped it
    /// afterwards; else cancelled when it was cut short; else failed.
    public init(allComplete: Bool, cancelled: Bool) {
        self = allComplete ? .complete : (cancelled ? .cancelled : .failed)
    }

    /// The word in metadata.json's `status` (what resume and upstream lookups compare).
    public var metadataWord: String { self == .failed ? "incomplete" : rawValue }

    /// The word in provenance.json's `outcome` and in `run_finished`.
    public var provenanceWord: String { rawValue }

    /// The word in the `after_run` hook's `outcome`: complete or incomplete.
    public var hookWord: String { self == .complete ? "complete" : "incomplete" }
}
