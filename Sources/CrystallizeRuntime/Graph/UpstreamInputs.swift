import Foundation
import OrderedCollections

/// Loads a consumer's upstream artifacts (`datasource: {key: producer#artifact}`) from the
/// producers' latest complete versions. Replicate i reads producer replicate i mod n; a
/// treatment without its own artifact falls back to the baseline's, with a warning.
public final class UpstreamInputs {
    struct Source {
        let key: String
        let experiment: String
        let spec: OutputSpec
        let versionDirectory: String
        let replicates: Int
        let manifestStep: String?
    }
    private let sources: [Source]
    private let warn: (String) -> Void
    private let lock = NSLock()
    private var warned = Set<String>()

    /// Resolves every input of `plan` against the data root; errors name what is missing.
    public init(plan: Plan, warn: @escaping (String) -> Void) throws {
        self.warn = warn
        var out: [Source] = []
        for (key, input) in plan.inputs {
            let store = RunStore(dataRoot: plan.dataRoot, experiment: input.experiment)
            guard let v = store.versions().last(where: { (try? store.readMetadata($0))??["status"] == .string("complete") }) else {
                throw StoreError("input '\(key)': experiment '\(input.experiment)' has no complete run under \(store.experimentDirectory); run it first")
            }
            guard let meta = try store.readMetadata(v), case .int(let n)? = meta["replicates"] else {
                throw StoreError("input '\(key)': \(store.metadataPath(v)) has no replicate count")
            }
            guard case .map(let outputs)? = meta["outputs"], case .map(let o)? = outputs[input.artifact],
                  case .string(let file)? = o["file_name"], case .string(let codec)? = o["codec"] else {
                throw StoreError("input '\(key)': experiment '\(input.experiment)' declares no output '\(input.artifact)' (see \(store.metadataPath(v)))")
            }
            let plugin = ArtifactCodecs.builtins.contains(codec) ? nil : try plan.registry.find(.codec, codec)
            out.append(Source(key: key, experiment: input.experiment, spec: OutputSpec(name: input.artifact, fileName: file, codec: codec, pluginCodec: plugin),
                              versionDirectory: store.versionDirectory(v), replicates: Int(n), manifestStep: store.readManifest(v)[file]))
        }
        let counts = Dictionary(grouping: out, by: \.replicates)
        if counts.count > 1 {
            throw StoreError("conflicting replicates across upstream artifacts: " + out.map { "\($0.experiment)#\($0.spec.name)=\($0.replicates)" }.joined(separator: ", "))
        }
        sources = out
    }

    /// The datasource value of replicate `r` and `condition`: the artifact itself when there is
    /// one input, else a map of key to artifact.
    public func load(replicate r: Int, condition: String) throws -> Value {
        var m = OrderedDictionary<String, Value>()
        for s in sources {
            let ur = r % max(s.replicates, 1)
            var path = find(s, replicate: ur, condition: condition)
            if path == nil, condition != "baseline", let p = find(s, replicate: ur, condition: "baseline") {
                lock.lock()
                if warned.insert("\(s.key)/\(condition)").inserted {
                    warn("warning: '\(s.experiment)#\(s.spec.name)' has no artifact for treatment '\(condition)'; using the baseline's")
                }
                lock.unlock()
                path = p
            }
            guard let path else {
                throw StoreError("artifact '\(s.experiment)#\(s.spec.name)' (\(s.spec.fileName)) not found under \(ArtifactPaths.conditionDirectory(versionDirectory: s.versionDirectory, replicate: ur, condition: condition))")
            }
            guard let data = FileManager.default.contents(atPath: path) else { throw StoreError("cannot read \(path)") }
            m[s.key] = try ArtifactCodecs.decode([UInt8](data), spec: s.spec, path: path)
        }
        return m.count == 1 ? m.values[0] : .map(m)
    }

    private func find(_ s: Source, replicate: Int, condition: String) -> String? {
        let dir = ArtifactPaths.conditionDirectory(versionDirectory: s.versionDirectory, replicate: replicate, condition: condition)
        if let step = s.manifestStep {
            let p = "\(dir)/\(step)/\(s.spec.fileName)"
            return FileManager.default.fileExists(atPath: p) ? p : nil
        }
        for step in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
            let p = "\(dir)/\(step)/\(s.spec.fileName)"
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }
}
