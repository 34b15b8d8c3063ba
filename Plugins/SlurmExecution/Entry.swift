import Crystallize

/// The SlurmExecution plugin: exports the execution strategy `slurm`, which runs every
/// pending replicate as one task of a single Slurm job array and hands the tasks' result
/// files back to the host, which aggregates exactly as for a serial run.
@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "SlurmExecution", version: "1.0.0", doc: "Runs replicates as a Slurm job array (sbatch, squeue, scancel)")
        .strategy("slurm", doc: "One Slurm array task per pending replicate; the host binary, plugins and data must be on a filesystem the nodes share",
                  params: SlurmSettings.declarations) { ctx, loop in
            let settings = try SlurmSettings(ctx)
            try SlurmRun(settings: settings, loop: loop, log: { ctx.log($0) }).run()
        }
        .install(host)
}
