import Foundation

/// What Slurm says about one task of the array.
struct TaskState: Equatable {
    /// The array index (`SLURM_ARRAY_TASK_ID`).
    var index: Int
    /// The job id of the task itself once it started (pending tasks share the array's id).
    var jobID: String
    /// PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED, ...
    var state: String
    /// Why it is pending or how it ended ("None", "NonZeroExitCode", "JobLaunchFailure", ...).
    var reason: String
    /// The exit code of the batch script, when it exited.
    var exitCode: Int
    /// The signal that ended it, or 0.
    var signal: Int

    /// States after which a task never runs again; everything else may still change.
    static let terminalStates: Set<String> = ["COMPLETED", "FAILED", "TIMEOUT", "CANCELLED", "NODE_FAIL", "PREEMPTED",
                                              "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT", "REVOKED"]

    /// Whether the task has ended for good.
    var isFinished: Bool { Self.terminalStates.contains(state) }
    /// Whether it is on a node now.
    var isRunning: Bool { ["RUNNING", "COMPLETING", "CONFIGURING", "SIGNALING", "STAGE_OUT", "SUSPENDED", "STOPPED"].contains(state) }

    /// How the task ended, for messages: "exit code 3", "signal 9 SIGKILL", or "" when unknown.
    var ending: String {
        var parts: [String] = []
        if signal != 0 { parts.append("signal \(signal)\(Self.signalNames[signal].map { " \($0)" } ?? "")") } else if exitCode != 0 || state == "COMPLETED" { parts.append("exit code \(exitCode)") }
        if !["None", "NonZeroExitCode", ""].contains(reason) { parts.append("reason \(reason)") }
        return parts.joined(separator: ", ")
    }

    /// Names of the signals a task is usually ended by.
    static let signalNames: [Int: String] = [1: "SIGHUP", 2: "SIGINT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL",
                                             11: "SIGSEGV", 13: "SIGPIPE", 15: "SIGTERM"]
}

/// Reads task states from `squeue` and, as a fallback, `scontrol show job` output.
enum TaskStateParser {
    /// The squeue field list matching `parseSqueue`: one `|`-separated line per task.
    static let squeueFormat = "ArrayJobID:|,ArrayTaskID:|,JobID:|,State:|,Reason:|,exit_code:"

    /// Lines of `squeue -h -r -t all -j <array> -O <squeueFormat>`; `exit_code` is a raw wait
    /// status (exit code × 256 + signal). Lines of other jobs are ignored.
    static func parseSqueue(_ text: String, arrayJobID: String) -> [Int: TaskState] {
        var out: [Int: TaskState] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count >= 6, f[0] == arrayJobID else { continue }
            let raw = Int(f[5]) ?? 0
            for i in indices(f[1]) {
                out[i] = TaskState(index: i, jobID: f[2], state: normalize(f[3]), reason: f[4], exitCode: (raw >> 8) & 0xff, signal: raw & 0x7f)
            }
        }
        return out
    }

    /// Lines of `scontrol -o show job <array>` (one `Key=Value ...` line per task or pending range);
    /// `ExitCode=` there is "exit:signal".
    static func parseScontrol(_ text: String, arrayJobID: String) -> [Int: TaskState] {
        var out: [Int: TaskState] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            var kv: [String: String] = [:]
            for token in line.split(separator: " ") {
                guard let eq = token.firstIndex(of: "=") else { continue }
                let k = String(token[..<eq])
                if kv[k] == nil { kv[k] = String(token[token.index(after: eq)...]) }
            }
            guard kv["ArrayJobId"] == arrayJobID, let ids = kv["ArrayTaskId"], let state = kv["JobState"] else { continue }
            let codes = (kv["ExitCode"] ?? "0:0").split(separator: ":").map { Int($0) ?? 0 }
            for i in indices(ids) {
                out[i] = TaskState(index: i, jobID: kv["JobId"] ?? arrayJobID, state: normalize(state), reason: kv["Reason"] ?? "",
                                   exitCode: codes.first ?? 0, signal: codes.count > 1 ? codes[1] : 0)
            }
        }
        return out
    }

    /// "CANCELLED by 0" and "CANCELLED+" both mean CANCELLED.
    static func normalize(_ state: String) -> String {
        String(state.prefix { $0.isLetter || $0 == "_" }).uppercased()
    }

    /// Array indices written as "7", "2-5", "[0-9%2]" or "1,3,5-7".
    static func indices(_ text: String) -> [Int] {
        var s = text.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
        if let pct = s.firstIndex(of: "%") { s = String(s[..<pct]) }
        var out: [Int] = []
        for part in s.split(separator: ",") {
            let ends = part.split(separator: "-").compactMap { Int($0) }
            if ends.count == 1 { out.append(ends[0]) } else if ends.count == 2, ends[0] <= ends[1] { out += Array(ends[0]...ends[1]) }
        }
        return out
    }
}
