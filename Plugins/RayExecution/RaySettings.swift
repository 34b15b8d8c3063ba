import Crystallize
import Foundation

/// The `ray` strategy's parameters, as given under `execution:` in config.yaml.
struct RaySettings {
    /// The cluster's address ("host:port", "ray://host:10001", "auto"); "" means RAY_ADDRESS.
    var address: String
    /// The Python interpreter with `ray` installed that runs the driver.
    var python: String
    /// CPUs each Ray task asks for.
    var numCPUs: Double
    /// Replicates per Ray task; 0 lets the driver choose from the cluster's CPUs.
    var replicatesPerTask: Int
    /// A JSON object passed to `ray.init(runtime_env=...)` as it is, or "".
    var runtimeEnv: String
    /// Seconds between two looks at the result files.
    var pollInterval: Double
    /// A folder every Ray node sees for the driver, task logs and result files; "" means the run's work folder.
    var sharedDir: String

    static let declarations: [Param] = [
        .string("address", default: "", doc: "Ray cluster address (ray.init address=); empty: RAY_ADDRESS"),
        .string("python", default: "python3", doc: "Python interpreter with ray installed, which runs the plugin's driver"),
        .f64("num_cpus", default: 1.0, doc: "CPUs per Ray task (ray.remote num_cpus=)"),
        .i64("replicates_per_task", default: 0, doc: "Replicates one Ray task runs, one after another; 0: one task per free CPU slot"),
        .string("runtime_env", default: "", doc: "JSON object passed to ray.init(runtime_env=...), e.g. {\"env_vars\": {\"OMP_NUM_THREADS\": \"1\"}}"),
        .f64("poll_interval", default: 0.2, doc: "Seconds between looks at the result files"),
        .string("shared_dir", default: "", doc: "Folder every Ray node sees for the driver, task logs and result files; empty: the run's work folder"),
    ]

    init(_ ctx: StepContext) throws {
        func string(_ n: String) -> String { ctx.param(n)?.string ?? "" }
        address = string("address").trimmingCharacters(in: .whitespaces)
        python = string("python").isEmpty ? "python3" : string("python")
        numCPUs = ctx.param("num_cpus")?.double ?? 1
        replicatesPerTask = Int(ctx.param("replicates_per_task")?.int ?? 0)
        runtimeEnv = string("runtime_env").trimmingCharacters(in: .whitespacesAndNewlines)
        pollInterval = ctx.param("poll_interval")?.double ?? 0.2
        sharedDir = string("shared_dir")
        guard numCPUs.isFinite, numCPUs > 0 else { throw PluginFailure("ray: parameter num_cpus must be a positive number, got \(numCPUs)") }
        guard replicatesPerTask >= 0 else { throw PluginFailure("ray: parameter replicates_per_task must be 0 (choose) or more, got \(replicatesPerTask)") }
        guard pollInterval.isFinite, pollInterval > 0 else { throw PluginFailure("ray: parameter poll_interval must be a positive number of seconds, got \(pollInterval)") }
        if !runtimeEnv.isEmpty {
            let parsed = try? JSONSerialization.jsonObject(with: Data(runtimeEnv.utf8))
            guard parsed is [String: Any] else { throw PluginFailure("ray: parameter runtime_env must be a JSON object, got '\(runtimeEnv)'") }
        }
    }

    /// runtime_env as a JSON value, or NSNull.
    var runtimeEnvObject: Any { runtimeEnv.isEmpty ? NSNull() : ((try? JSONSerialization.jsonObject(with: Data(runtimeEnv.utf8))) ?? NSNull()) }
}
