import Crystallize
import Foundation

/// Checks made before anything is written or submitted: the client commands are on PATH and
/// the controller answers. Each failure is one clear message, so a laptop without Slurm or a
/// login node with a stale SLURM_CONF never gets as far as a half-submitted run.
enum Preflight {
    /// The commands every run needs.
    static let required = ["sbatch", "squeue", "scancel"]

    /// Finds the commands and pings the controller; throws a message naming what is wrong.
    static func check(timeout: TimeInterval = 30) throws -> Commands {
        let (commands, missing) = Commands.locate(required + ["scontrol", "sinfo"])
        let missingRequired = missing.filter { required.contains($0) }
        if !missingRequired.isEmpty {
            let path = Commands.searchPath.joined(separator: ":")
            throw PluginFailure("slurm: \(missingRequired.joined(separator: ", ")) not found on PATH (\(path.isEmpty ? "empty" : path)); " +
                "the slurm strategy needs the Slurm client commands sbatch, squeue and scancel: run on a cluster login node or install them (Debian: slurm-client). Nothing was submitted.")
        }
        // `scontrol ping` answers at once even when the controller is down; squeue would first
        // wait out its message timeout.
        let probe: (String, [String]) = commands.paths["scontrol"] != nil ? ("scontrol", ["ping"]) : ("squeue", ["-h", "--me", "-o", "%i"])
        let r = commands.run(probe.0, probe.1, timeout: timeout)
        if r.status != 0 {
            let conf = ProcessInfo.processInfo.environment["SLURM_CONF"].map { "SLURM_CONF=\($0)" } ?? "SLURM_CONF is not set (the default slurm.conf is used)"
            let why = r.timedOut ? "no answer within \(Int(timeout)) s" : "\(r.ending): \(r.diagnostic.isEmpty ? "no output" : oneLine(r.diagnostic))"
            throw PluginFailure("slurm: the Slurm controller does not answer (`\(probe.0) \(probe.1.joined(separator: " "))`: \(why)); " +
                "check that slurmctld is running and reachable; \(conf). Nothing was submitted.")
        }
        return commands
    }

    /// Command output on one line, without blank lines or scontrol's "****" banners.
    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("**") }.joined(separator: "; ")
    }
}
