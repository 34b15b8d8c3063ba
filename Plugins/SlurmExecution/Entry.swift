import Crystallize

/// The SlurmExecution plugin: exports the execution strategy `slurm`, which runs the pending
/// replicates in batches, one Slurm job array task per batch, and hands each replicate's
/// result file back to the host as it appears; the host aggregates exactly as for a serial run.
/// It supports detaching (`run --detach`), attaching, status and cancel, requeues and splits.
@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "SlurmExecution", version: "1.0.0", doc: "Runs replicates as a Slurm job array (sbatch, squeue, scancel)")
        .strategy("slurm", doc: "Pending replicates in batches as Slurm job array tasks; the host binary, plugins and data must be on a filesystem the nodes share",
                  params: SlurmSettings.declarations) { ctx, loop in
            let settings = try SlurmSettings(ctx)
            try SlurmRun(settings: settings, loop: loop, log: { ctx.log($0) }).run()
        }
        .install(host)
}
