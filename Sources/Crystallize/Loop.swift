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
}

/// Completes an asynchronous step, exactly once, from any thread.
public struct Completion {
    let raw: OpaquePointer
    /// Finishes with an output made from the step's context.
    public func succeed(_ value: HostValue) { hostTable.pointee.complete(raw, CRYS_OK, value.raw, nil) }
    /// Finishes with an error.
    public func fail(_ message: String) { hostTable.pointee.complete(raw, CRYS_ERROR, nil, message) }
}
