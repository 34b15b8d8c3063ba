import Foundation

extension PluginRegistry {
    /// Loads what an experiment needs: the `--plugin` paths, then its `plugins:` list. The one
    /// place a config's plugins are opened; an error names the entry's line.
    func load(for config: ExperimentConfig, pluginPaths: [String]) throws {
        for p in pluginPaths { try load(p) }
        guard let plugins = config.fields["plugins"] else { return }
        for item in try plugins.sequence("a list of plugin products or paths") {
            let name = try item.string()
            // A product already loaded with --plugin (perhaps from another build folder)
            // satisfies the entry; loading a second copy would clash by name.
            if !PluginRegistry.isPath(name), self.plugins.contains(where: { $0.name == name }) { continue }
            do { try load(try PluginRegistry.locate(product: name, base: config.directory)) } catch let e as PluginError {
                throw item.error(e.description)
            }
        }
    }
}
