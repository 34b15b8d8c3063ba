import Foundation

/// An optimizer exported by a plugin (CRYS_KIND_OPTIMIZER).
final class PluginOptimizer: Optimizer {
    init(export: PluginExport, spec: OptimizeSpec) throws {
        throw StoreError("plugin optimizers are not supported by this host yet")
    }
    func ask() throws -> [TrialRequest] { [] }
    func tell(_ reports: [TrialReport]) throws {}
}
