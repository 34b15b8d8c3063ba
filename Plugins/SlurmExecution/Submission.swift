import Crystallize
import Foundation

/// One submitted job array: the folder holding its files and the job id Slurm gave it.
struct Submission {
    /// The folder (visible from the nodes) with replicates.txt, run.sh, job_id, task_<i>.log, result_<r>.json.
    let directory: String
    /// The replicate each array index runs: `replicates[i]` for task i.
    let replicates: [Int]
    /// The array's job id.
    let jobID: String
    /// The cluster name when sbatch answered "id;cluster" (federated or multi-cluster setups).
    let cluster: String?

    /// The shell variable holding the task's replicate; also the placeholder handed to the host.
    static let variable = "CRYSTALLIZE_REPLICATE"
    /// The placeholder as it appears in the worker command line.
    static var placeholder: String { "${\(variable)}" }

    /// The log of array task `index`.
    func logPath(_ index: Int) -> String { "\(directory)/task_\(index).log" }
    /// The result file of `replicate`.
    func resultPath(_ replicate: Int) -> String { Self.resultPath(directory, String(replicate)) }
    /// The result file of a replicate given as text (an index or the placeholder).
    static func resultPath(_ directory: String, _ replicate: String) -> String { "\(directory)/result_\(replicate).outcomes" }

    /// `--clusters=` for every later Slurm command, when the job lives on a named cluster.
    var clusterArgs: [String] { cluster.map { ["--clusters=\($0)"] } ?? [] }

    /// The batch script: array task i reads line i+1 of the replicate list and execs the host's
    /// worker command for that replicate. Every argument is quoted except the placeholders.
    static func script(listPath: String, workerCommand: [String]) -> String {
        let command = workerCommand.map { Shell.word($0, placeholder: placeholder, variable: variable) }.joined(separator: " ")
        return """
        #!/bin/sh
        # Written by the crystallize-host SlurmExecution plugin. Array task i runs the replicate
        # on line i+1 of the list below through the host's worker command.
        list=\(Shell.quote(listPath))
        \(variable)=$(sed -n "$((${SLURM_ARRAY_TASK_ID:-0} + 1))p" "$list")
        if [ -z "$\(variable)" ]; then
            echo "crystallize: no replicate for array task ${SLURM_ARRAY_TASK_ID:-?} in $list" >&2
            exit 2
        fi
        # Like the processes strategy: no multi-second Swift crash report per crashed worker
        # unless asked for; the Slurm state and exit signal say what happened.
        if [ "${CRYSTALLIZE_WORKER_BACKTRACE:-}" != 1 ]; then SWIFT_BACKTRACE=enable=no; export SWIFT_BACKTRACE; fi
        echo "crystallize: slurm task ${SLURM_ARRAY_JOB_ID:-?}_${SLURM_ARRAY_TASK_ID:-?} runs replicate $\(variable) on ${SLURMD_NODENAME:-?}" >&2
        exec \(command)

        """
    }

    /// Writes the list and the script into a fresh folder under `parent` and submits the array.
    static func submit(replicates: [Int], parent: String, workerCommand: (String, String) -> [String],
                       settings: SlurmSettings, commands: Commands) throws -> Submission {
        let dir = try Files.makeSubmissionDirectory(in: parent)
        let listPath = "\(dir)/replicates.txt", scriptPath = "\(dir)/run.sh"
        try Files.writeAtomically(listPath, replicates.map(String.init).joined(separator: "\n") + "\n")
        let argv = workerCommand(placeholder, resultPath(dir, placeholder))
        guard !argv.isEmpty else { throw PluginFailure("slurm: the host gave no worker command line") }
        try Files.writeAtomically(scriptPath, script(listPath: listPath, workerCommand: argv), mode: 0o755)

        var args = ["--parsable", "--job-name=crystallize", "--array=0-\(replicates.count - 1)" + (settings.arrayThrottle > 0 ? "%\(settings.arrayThrottle)" : ""),
                    "--output=\(dir)/task_%a.log", "--chdir=\(FileManager.default.currentDirectoryPath)", "--export=ALL"]
        args += settings.sbatchOptions + settings.extraArgs + [scriptPath]
        let r = commands.run("sbatch", args, timeout: 120)
        guard r.status == 0 else {
            throw PluginFailure("slurm: sbatch refused the job array (\(r.timedOut ? "no answer within 120 s" : "exit \(r.status)")): \(Preflight.oneLine(r.diagnostic)); " +
                "command: sbatch \(args.joined(separator: " "))")
        }
        // --parsable prints "jobid" or "jobid;cluster"; warnings may come on lines before it.
        let last = r.stdout.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        let parts = last.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let id = parts.first, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw PluginFailure("slurm: cannot read a job id from sbatch's answer '\(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))'")
        }
        try? Files.writeAtomically("\(dir)/job_id", id + "\n")
        return Submission(directory: dir, replicates: replicates, jobID: id, cluster: parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil)
    }
}
