import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The worker side of process execution: rebuild the parent's plan from its request file,
/// then run replicates read from stdin (streaming) or one replicate into a result file.
public enum WorkerMain {
    /// Runs a worker; returns the process exit code.
    public static func run(requestPath: String, stream: Bool, replicate: String?, out: String?,
                           replicates: String? = nil, outPattern: String? = nil) async -> Int32 {
        // Results travel on the original stdout; anything a plugin prints goes to stderr so it
        // can never corrupt the result stream.
        let resultFD = dup(1)
        dup2(2, 1)
        func fail(_ message: String) -> Int32 {
            FileHandle.standardError.write("crystallize-host worker: \(message)\n".data(using: .utf8)!)
            return 2
        }
        let request: RunRequest
        do { request = try RunRequest.load(requestPath) } catch { return fail("\(error)") }
        _ = FileManager.default.changeCurrentDirectoryPath(request.workingDirectory)
        let plan: Plan
        // Through the graph, so a consumer's worker runs the inherited treatments its parent runs.
        do { plan = try ExperimentGraph.resolvedPlan(target: request.target, registry: PluginRegistry(), overrides: request.overrides) } catch { return fail("\(error)") }
        let log: (String) -> Void = { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) }
        let cache = request.cacheDirectory.map { StepCache(directory: $0, warn: log) }
        var inputs: UpstreamInputs? = nil
        if !plan.inputs.isEmpty { do { inputs = try UpstreamInputs(plan: plan, warn: log) } catch { return fail("\(error)") } }
        // Events go to the parent only when it has subscribers: otherwise the bus stays empty
        // and the runner builds none.
        let events = RunEventBus()
        let buffer = EventLineBuffer()
        if request.forwardEvents == true {
            if stream { events.subscribe(EventLineWriter(fd: resultFD, prefix: WorkerPipeFormat.eventPrefix)) } else { events.subscribe(buffer) }
        }
        let runner = ReplicateRunner(plan: plan, cache: cache, versionDirectory: request.versionDirectory, inputs: inputs, events: events, log: log)
        do { try PluginState.start(plan.registry.plugins) } catch { return fail("\(error)") }
        do { try Lifecycle.setup(plan) } catch { return fail("\(error)") }
        defer { Lifecycle.teardown(plan, log: log) }

        let replicateOutput = ReplicateOutput(versionDirectory: request.versionDirectory, streaming: stream)
        if stream {
            let output = FileHandle(fileDescriptor: resultFD)
            while let line = readLine() {
                guard let (r, wanted) = WorkerPipeFormat.parseWorkLine(line) else { return fail("bad work line '\(line)'") }
                replicateOutput.begin(r)
                for c in plan.conditions where wanted.contains(c.name) {
                    let o = await runner.run(replicate: r, condition: c)
                    output.write((WorkerPipeFormat.outcomeLine(o) + "\n").data(using: .utf8)!)
                }
                replicateOutput.end()
                output.write((WorkerPipeFormat.done + "\n").data(using: .utf8)!)
            }
            return 0
        }
        if let replicates {
            guard let outPattern else { return fail("--out-pattern is required with --replicates") }
            return await BatchWorker.run(replicates, pattern: outPattern, plan: plan, runner: runner, output: replicateOutput,
                                         events: request.forwardEvents == true ? buffer : nil, log: log)
        }
        guard let replicate, let r = Int(replicate), r >= 0, r < plan.replicates else {
            return fail("--replicate must be an index below \(plan.replicates), got '\(replicate ?? "")'")
        }
        guard let out else { return fail("--out is required with --replicate") }
        replicateOutput.begin(r)
        let outcomes = await runner.run(replicate: r, conditions: plan.conditions)
        replicateOutput.end()
        do {
            // Events first: the parent reads them when it takes the result file.
            try WorkerResultFile.write(outcomes, events: request.forwardEvents == true ? buffer.text : nil, to: out)
        } catch { return fail("\(error)") }
        return outcomes.contains { $0.failure != nil } ? 1 : 0
    }
}
