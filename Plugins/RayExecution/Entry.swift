import Crystallize

/// The RayExecution plugin: exports the execution strategy `ray`, which runs the pending
/// replicates as Ray tasks on an existing Ray cluster, through a small Python driver it ships
/// (Ray's own client), and hands each replicate's result file back to the host as it appears.
@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "RayExecution", version: "1.0.0", doc: "Runs replicates as Ray tasks on an existing Ray cluster (address: or RAY_ADDRESS)")
        .strategy("ray", doc: "Pending replicates in batches as Ray tasks; the host binary, plugins and data must be on a filesystem the Ray nodes share",
                  params: RaySettings.declarations) { ctx, loop in
            let settings = try RaySettings(ctx)
            try RayRun(settings: settings, loop: loop, log: { ctx.log($0) }).run()
        }
        .install(host)
}
