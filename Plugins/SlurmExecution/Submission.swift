import Crystallize
import Foundation

/// One job array Slurm accepted: its id and the tasks of the submission it runs.
struct ArrayPart: Codable, Equatable {
    /// The array's job id.
    var jobID: String
    /// The submission-wide index of its task 0 (`CRYSTALLIZE_TASK_OFFSET`).
    var first: Int
    /// Its task count.
    var count: Int
}

/// What `submission.json` records, so another host process (`attach`, `status`, `cancel`,
/// `--strategy resume`) can follow the submission after the one that made it is gone.
struct SubmissionRecord: Codable {
    /// The replicates of each task, by submission-wide task index (line i+1 of replicates.txt).
    var batches: [[Int]] = []
    /// The arrays that run those tasks (several when MaxArraySize splits them, or after a resubmission).
    var arrays: [ArrayPart] = []
    /// The cluster name when sbatch answered "id;cluster".
    var cluster: String? = nil
    /// Requeues so far, by task index.
    var requeues: [String: Int] = [:]
    /// Set by Ctrl-C or `cancel`: the submission is not followed again, only harvested.
    var cancelled = false
}

/// One submission: a folder visible from the nodes holding replicates.txt (one batch per
/// line), run.sh, submission.json, every task attempt's log and every replicate's result file.
final class Submission {
    /// The folder.
    let directory: String
    /// What it holds.
    private(set) var record: SubmissionRecord

    /// The shell variable holding the task's replicates; also the placeholder handed to the host.
    static let variable = "CRYSTALLIZE_REPLICATES"
    static var placeholder: String { "${\(variable)}" }
    static let recordName = "submission.json"

    init(directory: String, record: SubmissionRecord) {
        self.directory = directory
        self.record = record
    }

    /// Reads the submission in `directory`; nil when it has no readable record.
    static func load(_ directory: String) -> Submission? {
        guard let d = FileManager.default.contents(atPath: "\(directory)/\(recordName)"),
              let r = try? JSONDecoder().decode(SubmissionRecord.self, from: d) else { return nil }
        return Submission(directory: directory, record: r)
    }

    /// Writes submission.json atomically.
    func save() throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try Files.writeAtomically("\(directory)/\(Self.recordName)", String(decoding: try enc.encode(record), as: UTF8.self) + "\n")
    }

    /// Every replicate of the submission.
    var replicates: [Int] { record.batches.flatMap { $0 } }
    /// The result file of `replicate`.
    func resultPath(_ replicate: Int) -> String { "\(directory)/result_\(replicate).outcomes" }
    /// `--clusters=` for every later Slurm command, when the job lives on a named cluster.
    var clusterArgs: [String] { record.cluster.map { ["--clusters=\($0)"] } ?? [] }
    /// The array and its own index running task `task`.
    func slurmTask(_ task: Int) -> (part: ArrayPart, index: Int)? {
        record.arrays.first { task >= $0.first && task < $0.first + $0.count }.map { ($0, task - $0.first) }
    }
    /// "12_3" for task `task`.
    func slurmName(_ task: Int) -> String { slurmTask(task).map { "\($0.part.jobID)_\($0.index)" } ?? "?_\(task)" }
    /// The job ids of every array.
    var jobIDs: [String] { record.arrays.map(\.jobID) }
    /// Every attempt's log of task `task`, oldest first.
    func attemptLogs(_ task: Int) -> [String] {
        guard let t = slurmTask(task) else { return [] }
        let prefix = "slurm-\(t.part.jobID)_\(t.index).attempt"
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix(prefix) && $0.hasSuffix(".log") }
            .sorted { (Int($0.dropFirst(prefix.count).dropLast(4)) ?? 0) < (Int($1.dropFirst(prefix.count).dropLast(4)) ?? 0) }.map { "\(directory)/\($0)" }
    }
    /// The log of task `task`'s latest attempt, or the array's own output file before any attempt wrote one.
    func latestLog(_ task: Int) -> String {
        attemptLogs(task).last ?? slurmTask(task).map { "\(directory)/array-\($0.part.jobID)_\($0.index).log" } ?? "\(directory)/?"
    }

    /// The batch script: task i (offset + SLURM_ARRAY_TASK_ID) sends its output to a log of its
    /// own attempt, reads line i+1 of the list and execs the host's batch worker for it.
    static func script(directory: String, workerCommand: [String]) -> String {
        let command = workerCommand.map { Shell.word($0, placeholder: placeholder, variable: variable) }.joined(separator: " ")
        return """
        #!/bin/sh
        # Written by the crystallize-host SlurmExecution plugin. Task i (the array's offset plus
        # SLURM_ARRAY_TASK_ID) runs the replicates on line i+1 of replicates.txt, one after
        # another, in one worker process; each replicate's result file is written as it finishes.
        dir=\(Shell.quote(directory))
        task=$(( ${CRYSTALLIZE_TASK_OFFSET:-0} + ${SLURM_ARRAY_TASK_ID:-0} ))
        # Every attempt (a requeue runs the script again) keeps its own log.
        exec >"$dir/slurm-${SLURM_ARRAY_JOB_ID:-0}_${SLURM_ARRAY_TASK_ID:-0}.attempt${SLURM_RESTART_COUNT:-0}.log" 2>&1
        \(variable)=$(sed -n "$((task + 1))p" "$dir/replicates.txt")
        if [ -z "$\(variable)" ]; then
            echo "crystallize: no replicates for task $task in $dir/replicates.txt" >&2
            exit 2
        fi
        # Like the processes strategy: no multi-second Swift crash report per crashed worker
        # unless asked for; the Slurm state and exit signal say what happened.
        if [ "${CRYSTALLIZE_WORKER_BACKTRACE:-}" != 1 ]; then SWIFT_BACKTRACE=enable=no; export SWIFT_BACKTRACE; fi
        echo "crystallize: slurm task ${SLURM_ARRAY_JOB_ID:-?}_${SLURM_ARRAY_TASK_ID:-?} (task $task, attempt ${SLURM_RESTART_COUNT:-0}) runs replicates $\(variable) on ${SLURMD_NODENAME:-?}" >&2
        exec \(command)

        """
    }

    /// A fresh folder under `parent` with the list, the script and the record; submits its tasks.
    static func create(batches: [[Int]], parent: String, workerCommand: (String, String) -> [String],
                       settings: SlurmSettings, commands: Commands, maxArraySize: Int) throws -> Submission {
        let dir = try Files.makeSubmissionDirectory(in: parent)
        let argv = workerCommand(placeholder, "\(dir)/result_{r}.outcomes")
        guard !argv.isEmpty else { throw PluginFailure("slurm: the host gave no batch worker command line (is the host older than this plugin?)") }
        try Files.writeAtomically("\(dir)/run.sh", script(directory: dir, workerCommand: argv), mode: 0o755)
        let s = Submission(directory: dir, record: SubmissionRecord(batches: batches))
        try s.writeList()
        try s.save()
        try s.submit(tasks: 0..<batches.count, settings: settings, commands: commands, maxArraySize: maxArraySize)
        return s
    }

    private func writeList() throws {
        try Files.writeAtomically("\(directory)/replicates.txt", record.batches.map { $0.map(String.init).joined(separator: ",") }.joined(separator: "\n") + "\n")
    }

    /// Adds a task for `replicates` (ones that never ran because the task holding them stopped
    /// early) and submits it as an array of its own.
    func resubmit(_ replicates: [Int], settings: SlurmSettings, commands: Commands) throws -> Int {
        record.batches.append(replicates)
        let task = record.batches.count - 1
        try writeList()
        try save()
        try submit(tasks: task..<(task + 1), settings: settings, commands: commands, maxArraySize: 1)
        return task
    }

    /// Submits `tasks` as arrays of at most `maxArraySize` tasks each, recording each as soon as Slurm accepts it.
    private func submit(tasks: Range<Int>, settings: SlurmSettings, commands: Commands, maxArraySize: Int) throws {
        var first = tasks.lowerBound
        while first < tasks.upperBound {
            let count = min(max(1, maxArraySize), tasks.upperBound - first)
            let throttle = settings.arrayThrottle > 0 ? "%\(settings.arrayThrottle)" : ""
            var args = ["--parsable", "--job-name=crystallize", "--array=0-\(count - 1)\(throttle)",
                        "--output=\(directory)/array-%A_%a.log", "--chdir=\(FileManager.default.currentDirectoryPath)",
                        "--export=ALL,CRYSTALLIZE_TASK_OFFSET=\(first)"]
            args += settings.sbatchOptions + settings.extraArgs + ["\(directory)/run.sh"]
            let r = commands.run("sbatch", args, timeout: 120)
            guard r.status == 0 else {
                throw PluginFailure("slurm: sbatch refused the job array (\(r.timedOut ? "no answer within 120 s" : r.ending)): \(Preflight.oneLine(r.diagnostic)); " +
                    "command: sbatch \(args.joined(separator: " "))")
            }
            // --parsable prints "jobid" or "jobid;cluster"; warnings may come on lines before it.
            let last = r.stdout.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            let parts = last.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let id = parts.first, !id.isEmpty, id.allSatisfy(\.isNumber) else {
                throw PluginFailure("slurm: cannot read a job id from sbatch's answer '\(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))'")
            }
            if parts.count > 1, !parts[1].isEmpty { record.cluster = parts[1] }
            record.arrays.append(ArrayPart(jobID: id, first: first, count: count))
            try save()
            first += count
        }
    }

    /// Counts one more requeue of `task` and records it.
    func noteRequeue(_ task: Int) throws {
        record.requeues[String(task), default: 0] += 1
        try save()
    }
    /// Requeues so far of `task`.
    func requeues(_ task: Int) -> Int { record.requeues[String(task)] ?? 0 }

    /// Marks the submission cancelled (it is harvested, never followed again).
    func markCancelled() { record.cancelled = true; try? save() }
}
