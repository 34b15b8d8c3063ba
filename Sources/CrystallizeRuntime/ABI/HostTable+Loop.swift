import Foundation
import CCrystallize

/// What an execution strategy may ask of the replicate loop (the object behind `crys_loop *`).
public protocol ReplicateLoop: AnyObject {
    /// Total replicates of the experiment.
    var replicateCount: Int { get }
    /// Replicates that still need to run, in order.
    var pending: [Int] { get }
    /// Runs every condition of `replicate` in this process.
    func runInProcess(_ replicate: Int) -> Bool
    /// The argv of a worker process running `replicate` into `resultPath`.
    func workerCommand(replicate: String, resultPath: String) -> [String]
    /// The argv of one worker process running the listed replicates, each into `resultPattern` with `{r}` replaced.
    func batchWorkerCommand(replicates: String, resultPattern: String) -> [String]
    /// What the strategy is asked to do (CRYS_LOOP_RUN, _DETACH, _STATUS, _CANCEL).
    var mode: Int32 { get }
    /// Keeps a copy of one attempt's log of a worker that ran `replicate` with the run.
    func keepLog(_ replicate: Int, path: String) throws
    /// Accepts a worker's result file.
    func submitResult(_ replicate: Int, path: String) throws
    /// Marks a replicate failed.
    func failReplicate(_ replicate: Int, message: String)
    /// A progress line.
    func progress(_ message: String)
    /// Whether the user cancelled.
    var isCancelled: Bool { get }
    /// A private folder for the strategy's files.
    var workDirectory: String { get }
}

/// Keeps the loop object and the C strings handed out for it alive during `run_loop`.
final class LoopBox {
    let loop: ReplicateLoop
    /// Every argv handed out, kept until run_loop returns; appended under `lock` because a
    /// strategy may ask for commands from several threads.
    var argvStorage: [[UnsafeMutablePointer<CChar>?]] = []
    let lock = NSLock()
    let workDirC: ContiguousArray<CChar>
    init(_ loop: ReplicateLoop) { self.loop = loop; workDirC = ContiguousArray(loop.workDirectory.utf8CString) }
    /// The NULL-terminated pointer arrays handed to the plugin, one per argv.
    var argvBuffers: [UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>] = []
    deinit {
        for argv in argvStorage { for p in argv { free(p) } }
        for buffer in argvBuffers { buffer.deallocate() }
    }
    var pointer: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }
    /// Hands `argv` out as a NULL-terminated C array that lives until run_loop returns.
    func keep(_ argv: [String], argc: UnsafeMutablePointer<Int>?) -> UnsafePointer<UnsafePointer<CChar>?>? {
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArgs.append(nil)
        argc?.pointee = argv.count
        // The array's buffer is what the plugin gets: it stays put once stored.
        let stored = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: cArgs.count)
        stored.initialize(from: cArgs, count: cArgs.count)
        lock.lock()
        argvStorage.append(cArgs)
        argvBuffers.append(stored)
        lock.unlock()
        return UnsafeRawPointer(stored).assumingMemoryBound(to: UnsafePointer<CChar>?.self)
    }
    static func from(_ p: OpaquePointer?) -> LoopBox? {
        p.map { Unmanaged<LoopBox>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }
}

extension HostTable {
    static func installLoop(_ t: inout crys_host) {
        t.loop_replicate_count = { l in Int64(LoopBox.from(l)?.loop.replicateCount ?? 0) }
        t.loop_pending_count = { l in Int64(LoopBox.from(l)?.loop.pending.count ?? 0) }
        t.loop_pending_at = { l, i in
            guard let p = LoopBox.from(l)?.loop.pending, i >= 0, Int(i) < p.count else { return -1 }
            return Int64(p[Int(i)])
        }
        t.loop_run_replicate = { l, r in
            guard let b = LoopBox.from(l), r >= 0, Int(r) < b.loop.replicateCount else { return CRYS_INVALID }
            return b.loop.runInProcess(Int(r)) ? CRYS_OK : CRYS_ERROR
        }
        t.loop_worker_command = { l, rep, path, argc in
            guard let b = LoopBox.from(l), let r = hostString(rep), let p = hostString(path) else { return nil }
            return b.keep(b.loop.workerCommand(replicate: r, resultPath: p), argc: argc)
        }
        t.loop_batch_worker_command = { l, reps, pattern, argc in
            guard let b = LoopBox.from(l), let r = hostString(reps), let p = hostString(pattern) else { return nil }
            return b.keep(b.loop.batchWorkerCommand(replicates: r, resultPattern: p), argc: argc)
        }
        t.loop_mode = { l in LoopBox.from(l)?.loop.mode ?? CRYS_LOOP_RUN }
        t.loop_keep_log = { l, r, path in
            guard let b = LoopBox.from(l), let p = hostString(path), r >= 0, Int(r) < b.loop.replicateCount else { return CRYS_INVALID }
            do { try b.loop.keepLog(Int(r), path: p) } catch {
                b.loop.progress("warning: cannot keep log \(p) of replicate \(r): \(error)")
                return CRYS_ERROR
            }
            return CRYS_OK
        }
        t.loop_submit_result = { l, r, path in
            guard let b = LoopBox.from(l), let p = hostString(path) else { return CRYS_INVALID }
            do { try b.loop.submitResult(Int(r), path: p) } catch {
                b.loop.failReplicate(Int(r), message: "\(error)")
                return CRYS_ERROR
            }
            return CRYS_OK
        }
        t.loop_fail_replicate = { l, r, msg in
            guard let b = LoopBox.from(l) else { return CRYS_INVALID }
            b.loop.failReplicate(Int(r), message: hostString(msg) ?? "failed")
            return CRYS_OK
        }
        t.loop_progress = { l, msg in if let b = LoopBox.from(l), let m = hostString(msg) { b.loop.progress(m) } }
        t.loop_cancelled = { l in (LoopBox.from(l)?.loop.isCancelled ?? false) ? 1 : 0 }
        t.loop_work_dir = { l in
            guard let b = LoopBox.from(l) else { return nil }
            return b.workDirC.withUnsafeBufferPointer { $0.baseAddress }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
