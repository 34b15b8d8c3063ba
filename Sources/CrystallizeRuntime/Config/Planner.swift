import Foundation
import OrderedCollections

/// Turns an experiment's config.yaml, the loaded plugins and command-line overrides into a
/// `Plan`, checking every name and type and reporting problems with file and line.
public enum Planner {
    static let topLevelKeys = ["name", "description", "replicates", "seed", "plugins", "datasource", "steps", "treatments",
                               "hypotheses", "outputs", "execution", "cache", "versioned", "artifact_retention", "big_file_threshold_mb", "cli", "data_hashes", "retries", "random_streams"]
        + ["sweep", "optimize"]

    /// Finds the config file for `target`: a folder holding config.yaml, or the file itself.
    public static func configPath(for target: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDir) else {
            throw ConfigError(file: target, line: nil, path: "", "no such file or folder")
        }
        let path = isDir.boolValue ? (target as NSString).appendingPathComponent("config.yaml") : target
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(file: path, line: nil, path: "", "no config.yaml in \(target)")
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Reads and plans the experiment at `target`.
    public static func plan(target: String, registry: PluginRegistry, overrides: RunOverrides) throws -> Plan {
        let path = try configPath(for: target)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, path: "", "cannot be read as UTF-8 text")
        }
        let root = try YAMLNode.parse(text, file: path)
        for (k, v) in try root.mapping("a mapping of experiment settings") where !topLevelKeys.contains(k) {
            if let hint = misplacedKeyHint(k) { throw v.error(hint) }
        }
        try root.checkKeys(topLevelKeys)
        let dir = (path as NSString).deletingLastPathComponent
        var fields = OrderedDictionary<String, YAMLNode>()
        for (k, v) in try root.mapping("a mapping of experiment settings") { fields[k] = v }

        for p in overrides.pluginPaths { try registry.load(p) }
        if let plugins = fields["plugins"] {
            for item in try plugins.sequence("a list of plugin products or paths") {
                let name = try item.string()
                // A product already loaded with --plugin (perhaps from another build folder)
                // satisfies the entry; loading a second copy would clash by name.
                if !name.contains("/"), !name.hasSuffix(".so"), !name.hasSuffix(".dylib"), registry.plugins.contains(where: { $0.name == name }) { continue }
                do { try registry.load(try PluginRegistry.locate(product: name, base: dir)) } catch let e as PluginError {
                    throw item.error(e.description)
                }
            }
        }

        guard let nameNode = fields["name"] else { throw root.error("missing required key 'name'") }
        let name = try nameNode.string()
        try checkName(name, node: nameNode, what: "experiment name")
        var replicates = try fields["replicates"].map { try $0.int() } ?? 1
        if let r = fields["replicates"], replicates < 1 { throw r.error("replicates must be at least 1") }
        if let r = overrides.replicates { replicates = r }
        var seed: UInt64 = 0
        if let s = fields["seed"] {
            let v = try s.int()
            guard v >= 0 else { throw s.error("seed must be a non-negative integer") }
            seed = UInt64(v)
        }
        if let s = overrides.seed { seed = s }
        var cacheEnabled = try fields["cache"].map { try $0.bool() } ?? true
        if overrides.noCache { cacheEnabled = false }

        let outputs = try parseOutputs(fields["outputs"], registry: registry)
        guard let stepsNode = fields["steps"] else { throw root.error("missing required key 'steps' (a list of step names)") }
        var steps: [PlannedStep] = []
        var usedNames = Set<String>()
        for item in try stepsNode.sequence("a list of steps") {
            var s = try parseCallable(item, kind: .step, registry: registry, cacheEnabled: cacheEnabled)
            var n = s.name, k = 2
            while usedNames.contains(n) { n = "\(s.name)_\(k)"; k += 1 }
            s.name = n
            usedNames.insert(n)
            steps.append(s)
        }
        var inputs = OrderedDictionary<String, ArtifactInput>()
        var datasource: PlannedStep? = nil
        guard let dsNode = fields["datasource"] else { throw root.error("missing required key 'datasource'") }
        if let parsed = try parseInputs(dsNode) {
            inputs = parsed
        } else {
            datasource = try parseCallable(dsNode, kind: .datasource, registry: registry, cacheEnabled: cacheEnabled)
        }

        let written = try parseTreatments(fields["treatments"], active: nil, root: root)
        try checkTreatmentTypes(fields["treatments"], callables: [datasource].compactMap { $0 } + steps)
        let conditions = try generatedConditions(written: written, fields: fields, overrides: overrides, path: path,
                                                 callables: [datasource].compactMap { $0 } + steps)
        if overrides.trialTreatments == nil { _ = try OptimizeSpec.parse(fields["optimize"], registry: registry, seed: seed, replicates: replicates) }
        let hypotheses = try parseHypotheses(fields["hypotheses"], registry: registry, conditions: conditions)
        var execution = ExecutionSettings()
        if let e = fields["execution"] { execution = try parseExecution(e) }
        if let s = overrides.execution { execution.strategy = s }
        if let w = overrides.workers { execution.workers = w }
        guard execution.workers >= 1 else { throw ConfigError(file: path, line: nil, path: "execution.workers", "workers must be at least 1") }
        try checkExecution(execution, node: fields["execution"], fromCommandLine: overrides.execution != nil, registry: registry, path: path)
        try checkCLI(fields["cli"])

        let dataRoot = overrides.targetDataRoot ?? overrides.dataRoot ?? "data"
        let plan = Plan(
            name: name, description: try fields["description"].map { try $0.string() } ?? "",
            directory: dir, configPath: path, configSHA256: ValueHash.hex(bytes: data),
            replicates: replicates, seed: seed, datasource: datasource, steps: steps, conditions: conditions,
            hypotheses: hypotheses, outputs: outputs, hooks: registry.exports(of: .hook), execution: execution,
            registry: registry, dataRoot: URL(fileURLWithPath: dataRoot).standardizedFileURL.path, cacheEnabled: cacheEnabled)
        plan.inputs = inputs
        plan.retention = try parseRetention(fields)
        plan.retries = try parseRetries(fields["retries"])
        try applyOverrides(plan, overrides: overrides, treatmentsNode: fields["treatments"])
        if let node = fields["random_streams"] {
            let text = try node.string()
            guard let rule = RandomStreams(rawValue: text) else {
                throw node.error("random_streams must be one of \(RandomStreams.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            plan.randomStreams = rule
        }
        let dataHashes = try fields["data_hashes"].map { try $0.bool() } ?? false
        plan.recordsDataHashes = dataHashes || plan.allSteps.contains { $0.cacheable }
        return plan
    }

    static func checkName(_ s: String, node: YAMLNode, what: String) throws {
        let ok = !s.isEmpty && s.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || $0 == "." || CharacterSet.alphanumerics.contains($0) } && !s.hasPrefix(".")
        if !ok { throw node.error("\(what) '\(s)' may only use letters, digits, '_', '-' and '.'") }
    }
}
