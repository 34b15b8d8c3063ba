import OrderedCollections

/// One metric value a step recorded.
public struct RecordedMetric: Equatable {
    /// Metric name.
    public var name: String
    /// The value appended to it.
    public var value: Value

    /// Values by metric name, names in order of first recording.
    static func grouped(_ metrics: ArraySlice<RecordedMetric>) -> OrderedDictionary<String, [Value]> {
        var out = OrderedDictionary<String, [Value]>()
        for m in metrics { out[m.name, default: []].append(m.value) }
        return out
    }
}

/// Provenance of one step call, as recorded on the per-replicate path.
///
/// It holds only what cannot be derived later: what the step read from and added to the
/// context, the metric values it recorded, whether the cache answered and, when data hashes
/// are on, the sha256 of its input and output. One is made per step call, so everything
/// derivable (resolved params, metric lists before and after, the step's hash) is rebuilt
/// when provenance is read, in crystallize-ml's `ctx_changes` shape (`ProvenanceDocument`).
public struct StepRecord: Equatable {
    /// Step name.
    public var step: String
    /// Whether the output came from the cache.
    public var cacheHit: Bool
    /// sha256 of the input value, when data hashes are recorded.
    public var inputHash: String?
    /// sha256 of the output value, when data hashes are recorded.
    public var outputHash: String?
    /// Context keys read, with the values read (parameters filled from the context included).
    public var reads: OrderedDictionary<String, Value>
    /// Context keys written, with their new values.
    public var writes: OrderedDictionary<String, Value>
    /// Metric values recorded, in order.
    public var metrics: [RecordedMetric]
}

/// A failed (replicate, condition): where and why.
public struct Failure: Equatable {
    /// The step that failed ("<datasource>", a step name, or "<worker>" for a crashed process).
    public var step: String
    /// The message.
    public var message: String
}

/// What one (replicate, condition) produced.
public struct ConditionOutcome: Equatable {
    /// Replicate index.
    public var replicate: Int
    /// Condition name.
    public var condition: String
    /// The replicate seed.
    public var seedUsed: UInt64
    /// Every metric value recorded, in order: the one list a run keeps per outcome.
    public var metricLog: [RecordedMetric]
    /// Recorded metrics by name (grouped from `metricLog`).
    public var metrics: OrderedDictionary<String, [Value]> { RecordedMetric.grouped(metricLog[...]) }
    /// Metric tags.
    public var metricTags: OrderedDictionary<String, [String]> {
        get { taggedMetrics ?? [:] }
        set { taggedMetrics = newValue.isEmpty ? nil : newValue }
    }
    /// `metricTags`, stored only when some metric has tags: most outcomes have none, and an
    /// outcome is handed on several times on the per-replicate path.
    private var taggedMetrics: OrderedDictionary<String, [String]>?
    /// Its step records, encoded as the journal stores them: each is written once, as its
    /// step finishes, travels as bytes, and is decoded only when provenance is read.
    var encodedSteps: [UInt8]
    /// How many step records `encodedSteps` holds.
    var stepCount: Int
    /// The failure, if it failed.
    public var failure: Failure?

    /// An outcome from its parts.
    init(replicate: Int, condition: String, seedUsed: UInt64, metricLog: [RecordedMetric], metricTags: OrderedDictionary<String, [String]>,
         encodedSteps: [UInt8], stepCount: Int, failure: Failure?) {
        self.replicate = replicate
        self.condition = condition
        self.seedUsed = seedUsed
        self.metricLog = metricLog
        taggedMetrics = metricTags.isEmpty ? nil : metricTags
        self.encodedSteps = encodedSteps
        self.stepCount = stepCount
        self.failure = failure
    }

    /// Per-step provenance, decoded.
    public func steps() throws -> [StepRecord] {
        var r = ByteReader(encodedSteps)
        var out: [StepRecord] = []
        for _ in 0..<stepCount { out.append(try StepRecord(from: &r)) }
        return out
    }

    /// A failed outcome with no metrics.
    public static func failed(replicate: Int, condition: String, seedUsed: UInt64, step: String, message: String) -> ConditionOutcome {
        ConditionOutcome(replicate: replicate, condition: condition, seedUsed: seedUsed, metricLog: [], metricTags: [:],
                         encodedSteps: [], stepCount: 0, failure: Failure(step: step, message: message))
    }
}
