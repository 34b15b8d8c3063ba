import Crystallize

/// Placeholder until the Slurm strategy lands.
@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "SlurmExecution", version: "0.0.1").install(host)
}
