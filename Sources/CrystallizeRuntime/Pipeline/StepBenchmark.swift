import Foundation
import OrderedCollections

/// Calls one step many times outside any experiment, to measure what a call through the ABI
/// costs (see bench/abi). It is not used by the engine.
///
/// Each call does what `ReplicateRunner` does around a step call, minus the cache, hooks and
/// provenance record, through the same code: ready the pipeline's reused call frame (step
/// started on the context, parameters resolved explicit → context → default), give it the
/// step's random stream, call through the ABI (a value export, an async export, or a typed C
/// function through libffi) and take the output.
public final class StepBenchmark {
    /// Parameters or context values by name, in order (so callers need not import OrderedCollections).
    public typealias Params = OrderedDictionary<String, Value>

    /// What is called.
    public let function: StepFunction
    /// The step name used for the context, errors and the random stream.
    public let stepName: String
    private let explicit: Params
    private let context: RunContext

    /// A benchmark of a plugin export with explicit `params`. The context holds what the host
    /// sets for replicate 0 of the baseline (`replicate`, `condition`, `seed_used`) plus `context`.
    public init(export: PluginExport, params: Params = [:], context additions: Params = [:]) throws {
        function = try StepFunction(export: export)
        stepName = export.name
        explicit = params
        context = StepBenchmark.makeContext(additions)
        try StepBenchmark.checkParams(params, of: function)
    }

    /// A benchmark of any C symbol with its signature written out, as config.yaml's `ffi:`
    /// names one (e.g. `library: "libm.so.6"`, `signature: "f64 pow(f64 data, f64 exponent)"`).
    public init(library: String, signature: String, params: Params = [:], context additions: Params = [:]) throws {
        function = try StepFunction(library: library, signature: signature, cacheable: false, what: "benchmark '\(signature)'")
        stepName = function.name
        explicit = params
        context = StepBenchmark.makeContext(additions)
        try StepBenchmark.checkParams(params, of: function)
    }

    /// Calls the step `iterations` times with `input` as its data (nil for a datasource) and
    /// returns the elapsed monotonic time in nanoseconds and the last call's output. A step that
    /// fills an f64 array in place fills the same array every time: give it work that keeps the
    /// values finite (e.g. a factor of 1).
    public func run(iterations: Int, input: Value?) async throws -> (nanoseconds: UInt64, output: Value) {
        let stage = PipelineStage(PlannedStep(name: stepName, function: function, explicitParams: explicit, cacheable: false, identity: ""), position: 1,
                                  hostKeys: [context.values])
        let frame = CallFrame(context: context, services: CallServices())
        var output = Value.null
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations {
            try stage.ready(frame, context: context, pool: 0)
            frame.useStream(seed: 0, stage: 1)
            output = try await function.invoke(data: input, frame: frame)
        }
        frame.reset()
        return (DispatchTime.now().uptimeNanoseconds - start, output)
    }

    private static func makeContext(_ additions: Params) -> RunContext {
        let c = RunContext()
        c.start(replicate: 0, condition: Condition(name: "baseline", additions: additions), seed: 0)
        return c
    }

    private static func checkParams(_ params: Params, of function: StepFunction) throws {
        for (k, v) in params {
            guard let spec = function.params.first(where: { $0.name == k }), k != "data" else {
                throw PluginError(message: "'\(function.name)' has no parameter '\(k)'")
            }
            guard spec.type.accepts(v) else {
                throw PluginError(message: "parameter '\(k)' of '\(function.name)' must be \(spec.type.rawValue), got \(v.typeName)")
            }
        }
    }
}
