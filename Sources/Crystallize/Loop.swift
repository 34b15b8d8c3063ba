/// The replicate loop an execution strategy drives.
public struct ReplicateLoop {
    /// The C handle.
    public let raw: OpaquePointer
    private var h: crys_host { hostTable.pointee }

    /// Total replicates.
    public var replicateCount: Int { Int(h.loop_replicate_count(raw)) }
    /// Replicates still to run, in order.
    public var pending: [Int] { (0..<Int(h.loop_pending_count(raw))).map { Int(h.loop_pending_at(raw, Int64($0))) } }
    /// Runs a replicate in this process; false if any condition failed.
    @discardableResult public func runHere(_ replicate: Int) -> Bool { h.loop_run_replicate(raw, Int64(replicate)) == CRYS_OK }
    /// The argv of a worker process running `replicate` (an index or a placeholder) into `resultPath`.
    public func workerCommand(replicate: String, resultPath: String) -> [String] {
        var n = 0
        guard let argv = h.loop_worker_command(raw, replicate, resultPath, &n) else { return [] }
        return (0..<n).compactMap { argv[$0].map { String(cString: $0) } }
    }
    /// Hands back a worker's result file.
    @discardableResult public func submitResult(_ replicate: Int, path: String) -> Bool { h.loop_submit_result(raw, Int64(replicate), path) == CRYS_OK }
    /// Marks a replicate failed.
    public func fail(_ replicate: Int, _ message: String) { _ = h.loop_fail_replicate(raw, Int64(replicate), message) }
    /// Shows a progress line.
    public func progress(_ message: String) { h.loop_progress(raw, message) }
    /// Whether the user cancelled.
    public var isCancelled: Bool { h.loop_cancelled(raw) != 0 }
    /// A private folder for the strategy's files.
    public var workDirectory: String { h.loop_work_dir(raw).map { String(cString: $0) } ?? "." }

    /// What this call is asked to do; a host too old to say asks for a plain run.
    public var mode: LoopMode {
        guard hostHas(\.loop_mode), let f = h.loop_mode else { return .run }
        return LoopMode(rawValue: f(raw)) ?? .run
    }
    /// The argv of ONE worker process running the listed replicates ("0,3,5-9" or a placeholder),
    /// each into `resultPattern` with "{r}" replaced; empty when the host is too old for batches.
    public func batchWorkerCommand(replicates: String, resultPattern: String) -> [String] {
        guard hostHas(\.loop_batch_worker_command), let f = h.loop_batch_worker_command else { return [] }
        var n = 0
        guard let argv = f(raw, replicates, resultPattern, &n) else { return [] }
        return (0..<n).compactMap { argv[$0].map { String(cString: $0) } }
    }
    /// Keeps a copy of one attempt's log of a worker that ran `replicate` with the run (named in provenance).
    @discardableResult public func keepLog(_ replicate: Int, path: String) -> Bool {
        guard hostHas(\.loop_keep_log), let f = h.loop_keep_log else { return false }
        return f(raw, Int64(replicate), path) == CRYS_OK
    }

    /// Whether the running host's table has `member` (appended in a later version of the header).
    private func hostHas(_ member: PartialKeyPath<crys_host>) -> Bool {
        guard let offset = MemoryLayout<crys_host>.offset(of: member) else { return false }
        return Int(h.size) >= offset + MemoryLayout<UnsafeRawPointer>.size
    }
}

/// What the host asks of an execution strategy's run loop.
public enum LoopMode: Int32 {
    /// Run every pending replicate (following this run's earlier submissions first); return when all are done.
    case run = 0
    /// Submit the pending replicates, record the submission in the work folder, return at once.
    case detach = 1
    /// Submit nothing: hand back results that exist, describe the submissions with `progress`, return.
    case status = 2
    /// Cancel this run's submissions, hand back what finished, return.
    case cancel = 3
}

/// Completes an asynchronous step, exactly once, from any thread.
public struct Completion {
    let raw: OpaquePointer
    /// Finishes with an output made from the step's context.
    public func succeed(_ value: HostValue) { hostTable.pointee.complete(raw, CRYS_OK, value.raw, nil) }
    /// Finishes with an error.
    public func fail(_ message: String) { hostTable.pointee.complete(raw, CRYS_ERROR, nil, message) }
}
