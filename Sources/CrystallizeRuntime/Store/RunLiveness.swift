import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether a run that metadata.json calls "running" still is: a SIGKILLed run never rewrites
/// its status, so readers judge it by the experiment folder's run lock instead.
public enum RunLiveness {
    /// What readers show for a run that was killed mid-way.
    public static let interruptedStatus = "interrupted — resume with --strategy resume"

    /// `status` as readers should show it: "running" becomes `interruptedStatus` when no live
    /// process on this host holds the lock of `experimentDirectory` (no lock file, or one whose
    /// holder's pid is gone). A holder on another host cannot be checked: it stays "running".
    public static func shownStatus(_ status: String, experimentDirectory: String) -> String {
        guard status == RunStatus.running.metadataWord else { return status }
        let lockPath = (experimentDirectory as NSString).appendingPathComponent(RunLock.fileName)
        guard FileManager.default.fileExists(atPath: lockPath) else { return interruptedStatus }
        guard let holder = RunLock.holder(of: experimentDirectory) else { return status }
        guard holder.host == RunLock.hostName() else { return status }
        let alive = holder.pid > 0 && (kill(holder.pid, 0) == 0 || errno == EPERM)
        return alive ? status : interruptedStatus
    }
}
