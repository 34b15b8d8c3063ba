import Foundation

/// How to start a worker process: this host binary with the `worker` subcommand and the
/// run's request file, so the worker loads the same config, plugins and overrides.
public struct WorkerLauncher {
    /// Absolute path of the host executable.
    public var executable: String
    /// The request file describing the run.
    public var requestPath: String

    /// The argv of a worker that streams results for replicates it reads on stdin.
    public var streamingCommand: [String] { [executable, "worker", "--request", requestPath, "--stream"] }

    /// The argv of a worker that runs one replicate and writes its result file.
    public func oneShotCommand(replicate: String, resultPath: String) -> [String] {
        [executable, "worker", "--request", requestPath, "--replicate", replicate, "--out", resultPath]
    }

    /// The argv of a worker that runs the listed replicates one after another, writing each
    /// one's result file (`resultPattern` with `{r}` replaced) as soon as it finishes.
    public func batchCommand(replicates: String, resultPattern: String) -> [String] {
        [executable, "worker", "--request", requestPath, "--replicates", replicates, "--out-pattern", resultPattern]
    }

    /// The running executable's absolute path.
    public static var currentExecutable: String {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
