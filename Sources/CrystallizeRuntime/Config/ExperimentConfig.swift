import Foundation
import OrderedCollections

/// An experiment's config.yaml as written: its YAML with every top-level key checked and the
/// sections that name nothing in a plugin already read. Reading one opens no library; the
/// `Planner` resolves the rest against the loaded plugins.
public struct ExperimentConfig {
    static let topLevelKeys = ["name", "description", "replicates", "seed", "plugins", "datasource", "steps", "treatments",
                               "hypotheses", "outputs", "execution", "cache", "versioned", "artifact_retention", "big_file_threshold_mb", "cli", "data_hashes", "retries", "random_streams"]
        + ["sweep", "optimize"]
    /// Context keys the host sets for every (replicate, condition); no treatment or sweep sets them.
    static let hostKeys = ["replicate", "condition", "seed_used"]

    /// The config file (standardized path).
    public let path: String
    /// The experiment folder.
    public let directory: String
    /// sha256 of the file's bytes.
    public let sha256: String
    /// The top-level keys, in file order.
    let fields: OrderedDictionary<String, YAMLNode>
    /// `name:`.
    public let name: String
    /// `description:` (empty when absent).
    public let description: String
    /// `replicates:` (1 when absent).
    public let replicates: Int
    /// `seed:` (0 when absent).
    public let seed: UInt64
    /// `cache:` (true when absent).
    public let cacheEnabled: Bool
    /// `steps:`, one entry per step, resolved by the planner.
    let stepEntries: [YAMLNode]
    /// `datasource:` when it names a datasource; nil when it reads upstream artifacts.
    let datasourceEntry: YAMLNode?
    /// `datasource: {key: experiment#artifact}`, as written (the graph names each producer).
    public let inputs: OrderedDictionary<String, ArtifactInput>
    /// The baseline and the written treatments, in file order.
    public let writtenTreatments: [Condition]
    /// Every value the written treatments set, with its node, for the plan's type check.
    let writtenTreatmentValues: [TreatmentValue]
    /// `execution:` as written (strategy names are checked by the planner).
    public let execution: ExecutionSettings
    /// `versioned`, `artifact_retention`, `big_file_threshold_mb`.
    public let retention: RetentionSettings
    /// `retries:`.
    public let retries: Int
    /// `random_streams:`.
    public let randomStreams: RandomStreams
    /// `data_hashes:`.
    public let dataHashes: Bool

    /// Finds the config file for `target`: a folder holding config.yaml, or the file itself.
    public static func path(for target: String) throws -> String {
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

    /// Reads the config of `target` (a folder or a config file); errors name file and line.
    public static func read(target: String) throws -> ExperimentConfig {
        let path = try path(for: target)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, path: "", "cannot be read as UTF-8 text")
        }
        return try ExperimentConfig(path: path, text: text, sha256: ValueHash.hex(bytes: data))
    }

    init(path: String, text: String, sha256: String) throws {
        let root = try YAMLNode.parse(text, file: path)
        for (k, v) in try root.mapping("a mapping of experiment settings") where !Self.topLevelKeys.contains(k) {
            if let hint = Self.misplacedKeyHint(k) { throw v.error(hint) }
        }
        try root.checkKeys(Self.topLevelKeys)
        var fields = OrderedDictionary<String, YAMLNode>()
        for (k, v) in try root.mapping("a mapping of experiment settings") { fields[k] = v }
        self.path = path
        self.directory = (path as NSString).deletingLastPathComponent
        self.sha256 = sha256
        self.fields = fields

        guard let nameNode = fields["name"] else { throw root.error("missing required key 'name'") }
        name = try nameNode.string()
        try Self.checkName(name, node: nameNode, what: "experiment name")
        description = try fields["description"].map { try $0.string() } ?? ""
        replicates = try fields["replicates"].map { try $0.int() } ?? 1
        if let r = fields["replicates"], replicates < 1 { throw r.error("replicates must be at least 1") }
        var seed: UInt64 = 0
        if let s = fields["seed"] {
            let v = try s.int()
            guard v >= 0 else { throw s.error("seed must be a non-negative integer") }
            seed = UInt64(v)
        }
        self.seed = seed
        cacheEnabled = try fields["cache"].map { try $0.bool() } ?? true
        guard let stepsNode = fields["steps"] else { throw root.error("missing required key 'steps' (a list of step names)") }
        stepEntries = try stepsNode.sequence("a list of steps")
        guard let dsNode = fields["datasource"] else { throw root.error("missing required key 'datasource'") }
        let parsedInputs = try Self.parseInputs(dsNode)
        inputs = parsedInputs ?? [:]
        datasourceEntry = parsedInputs == nil ? dsNode : nil
        (writtenTreatments, writtenTreatmentValues) = try Self.readTreatments(fields["treatments"])
        execution = try fields["execution"].map { try Self.parseExecution($0) } ?? ExecutionSettings()
        try Self.checkCLI(fields["cli"])
        retention = try Self.parseRetention(fields)
        retries = try Self.parseRetries(fields["retries"])
        randomStreams = try Self.parseRandomStreams(fields["random_streams"])
        dataHashes = try fields["data_hashes"].map { try $0.bool() } ?? false
    }

    static func checkName(_ s: String, node: YAMLNode, what: String) throws {
        let ok = !s.isEmpty && s.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || $0 == "." || CharacterSet.alphanumerics.contains($0) } && !s.hasPrefix(".")
        if !ok { throw node.error("\(what) '\(s)' may only use letters, digits, '_', '-' and '.'") }
    }
}
