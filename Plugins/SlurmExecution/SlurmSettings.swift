import Crystallize
import Foundation

/// The strategy's parameters, as given under `execution:` in config.yaml (or their defaults).
struct SlurmSettings {
    /// `--partition`, or "" for the cluster's default partition.
    var partition: String
    /// `--time` (e.g. "00:10:00"), or "" for the partition's default limit.
    var timeLimit: String
    /// `--cpus-per-task`.
    var cpusPerTask: Int
    /// `--mem` (e.g. "4G"), or "" for the cluster's default.
    var memory: String
    /// At most this many tasks at once (`--array=...%N`); 0 means no limit.
    var arrayThrottle: Int
    /// Further sbatch arguments, already split on whitespace; they come last, so they win.
    var extraArgs: [String]
    /// Seconds between two `squeue` polls.
    var pollInterval: Double
    /// Where scripts, logs and result files go; "" means the run's private work folder.
    var sharedDir: String
    /// Replicates per array task; 0 lets `BatchSizing` choose.
    var replicatesPerTask: Int
    /// How often one array task may be requeued after preemption, node failure or its time limit.
    var maxRequeues: Int
    /// Tasks per job array at most; 0 asks the cluster (`MaxArraySize`).
    var maxArraySize: Int

    /// The parameter declarations the descriptor exports (`crystallize-host inspect` shows them).
    static let declarations: [Param] = [
        .string("partition", default: "", doc: "Slurm partition (sbatch --partition); empty: the default partition"),
        .string("time_limit", default: "", doc: "Time limit per task, e.g. \"00:10:00\" (sbatch --time); empty: the partition's default"),
        .i64("cpus_per_task", default: 1, doc: "CPUs per task (sbatch --cpus-per-task)"),
        .string("memory", default: "", doc: "Memory per task, e.g. \"4G\" (sbatch --mem); empty: the cluster's default"),
        .i64("array_throttle", default: 0, doc: "At most this many tasks running at once (--array=...%N); 0: no limit"),
        .string("extra_args", default: "", doc: "More sbatch arguments, split on whitespace, e.g. \"--account=lab --qos=short\""),
        .f64("poll_interval", default: 1.0, doc: "Seconds between squeue polls"),
        .string("shared_dir", default: "", doc: "Folder visible from every node for the batch script, task logs and result files; empty: the run's work folder"),
        .i64("replicates_per_task", default: 0, doc: "Replicates one array task runs, one after another; 0: chosen from array_throttle, free CPUs and measured durations"),
        .i64("max_requeues", default: 3, doc: "Times one array task is requeued after preemption, node failure or its time limit (only its unfinished replicates run again)"),
        .i64("max_array_size", default: 0, doc: "Tasks per job array at most (larger arrays are split); 0: the cluster's MaxArraySize"),
    ]

    /// Reads and checks the resolved parameters of one strategy call.
    init(_ ctx: StepContext) throws {
        func string(_ name: String) -> String { ctx.param(name)?.string ?? "" }
        func int(_ name: String, _ fallback: Int64) -> Int { Int(ctx.param(name)?.int ?? fallback) }
        partition = string("partition").trimmingCharacters(in: .whitespaces)
        timeLimit = string("time_limit").trimmingCharacters(in: .whitespaces)
        memory = string("memory").trimmingCharacters(in: .whitespaces)
        sharedDir = string("shared_dir")
        extraArgs = string("extra_args").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        cpusPerTask = int("cpus_per_task", 1)
        arrayThrottle = int("array_throttle", 0)
        pollInterval = ctx.param("poll_interval")?.double ?? 1.0
        replicatesPerTask = int("replicates_per_task", 0)
        maxRequeues = int("max_requeues", 3)
        maxArraySize = int("max_array_size", 0)
        guard replicatesPerTask >= 0 else { throw PluginFailure("slurm: parameter replicates_per_task must be 0 (choose) or more, got \(replicatesPerTask)") }
        guard maxRequeues >= 0 else { throw PluginFailure("slurm: parameter max_requeues must be 0 or more, got \(maxRequeues)") }
        guard maxArraySize >= 0 else { throw PluginFailure("slurm: parameter max_array_size must be 0 (the cluster's) or more, got \(maxArraySize)") }
        guard cpusPerTask >= 1 else { throw PluginFailure("slurm: parameter cpus_per_task must be at least 1, got \(cpusPerTask)") }
        guard arrayThrottle >= 0 else { throw PluginFailure("slurm: parameter array_throttle must be 0 (no limit) or more, got \(arrayThrottle)") }
        guard pollInterval.isFinite, pollInterval > 0 else { throw PluginFailure("slurm: parameter poll_interval must be a positive number of seconds, got \(pollInterval)") }
    }

    /// The sbatch options these settings ask for (without --array, --output and the script).
    var sbatchOptions: [String] {
        // --requeue: a task may be requeued (by this plugin, counted against max_requeues).
        var o = ["--cpus-per-task=\(cpusPerTask)", "--requeue"]
        if !partition.isEmpty { o.append("--partition=\(partition)") }
        if !timeLimit.isEmpty { o.append("--time=\(timeLimit)") }
        if !memory.isEmpty { o.append("--mem=\(memory)") }
        return o
    }
}
