import Foundation
import OrderedCollections

/// Loads a consumer's upstream artifacts (`datasource: {key: producer#artifact}`) from the
/// producers' latest complete versions. As in crystallize-ml, the pipeline receives a map of
/// key to loaded artifact; replicate i reads producer replicate i mod n; a treatment without
/// its own artifact falls back to the baseline's, with a warning.
public final class UpstreamInputs {
    struct Source {
        let key: String
        let experiment: String
        let spec: OutputSpec
        let version: Int
        let versionDirectory: String
        let replicates: Int
        let manifestStep: String?
    }
    private let sources: [Source]
    /// Producer name to what identifies the run read: version, run id and pipeline signature.
    /// Recorded in the consumer's metadata.json; resume re-runs the consumer when it changes.
    public let identity: OrderedDictionary<String, Value>
    private let warn: (String) -> Void
    private let lock = NSLock()
    private var warned = Set<String>()

    /// Resolves every input of `plan` against the data root; errors name what is missing.
    public init(plan: Plan, warn: @escaping (String) -> Void) throws {
        self.warn = warn
        var out: [Source] = []
        var ids = OrderedDictionary<String, Value>()
        for (key, input) in plan.inputs {
            let store = RunStore(dataRoot: plan.dataRoot, experiment: input.experiment)
            guard let v = store.versions().last(where: { (try? store.readMetadata($0))??["status"] == .string(RunStatus.complete.metadataWord) }) else {
                throw StoreError("input '\(key)': experiment '\(input.experiment)' has no complete run under \(store.experimentDirectory); run it first (running the consumer runs it)")
            }
            guard let meta = try store.readMetadata(v), case .int(let n)? = meta["replicates"] else {
                throw StoreError("input '\(key)': \(store.metadataPath(v)) has no replicate count")
            }
            guard case .map(let outputs)? = meta["outputs"], case .map(let o)? = outputs[input.artifact],
                  case .string(let file)? = o["file_name"], case .string(let codec)? = o["codec"] else {
                throw StoreError("input '\(key)': experiment '\(input.experiment)' declares no output '\(input.artifact)' in \(store.metadataPath(v))")
            }
            let plugin = ArtifactCodecs.builtins.contains(codec) ? nil : try plan.registry.find(.codec, codec)
            out.append(Source(key: key, experiment: input.experiment, spec: OutputSpec(name: input.artifact, fileName: file, codec: codec, pluginCodec: plugin),
                              version: v, versionDirectory: store.versionDirectory(v), replicates: Int(n), manifestStep: store.readManifest(v)[file]))
            ids[input.experiment] = .map(["version": .int(Int64(v)), "run_id": meta["run_id"] ?? meta["started"] ?? .null,
                                          "pipeline_signature": meta["pipeline_signature"] ?? .null])
        }
        if Set(out.map(\.replicates)).count > 1 {
            throw StoreError("conflicting replicates across upstream artifacts: " +
                             out.map { "\($0.experiment)#\($0.spec.name)=\($0.replicates) (\($0.versionDirectory)/metadata.json)" }.joined(separator: ", "))
        }
        sources = out
        identity = ids
    }

    /// The datasource value of replicate `r` and `condition`: a map of key to artifact.
    public func load(replicate r: Int, condition: String) throws -> Value {
        var m = OrderedDictionary<String, Value>()
        for s in sources {
            let ur = r % max(s.replicates, 1)
            let own = path(s, replicate: ur, condition: condition)
            var found = FileManager.default.fileExists(atPath: own) ? own : nil
            if found == nil, condition != "baseline" {
                let base = path(s, replicate: ur, condition: "baseline")
                if FileManager.default.fileExists(atPath: base) {
                    lock.lock()
                    if warned.insert("\(s.key)/\(condition)").inserted {
                        warn("warning: artifact \(s.spec.fileName) ('\(s.experiment)#\(s.spec.name)') for condition '\(condition)' not found at \(own); falling back to 'baseline' (\(base))")
                    }
                    lock.unlock()
                    found = base
                }
            }
            guard let found else {
                let also = condition == "baseline" ? "" : " (nor the baseline's, at \(path(s, replicate: ur, condition: "baseline")))"
                throw StoreError("artifact '\(s.experiment)#\(s.spec.name)' not found: \(own) does not exist\(also)")
            }
            guard let data = FileManager.default.contents(atPath: found) else { throw StoreError("cannot read \(found)") }
            m[s.key] = try ArtifactCodecs.decode([UInt8](data), spec: s.spec, path: found)
        }
        return .map(m)
    }

    /// Where the artifact of one replicate and condition is: the step folder named by the
    /// producer's `_manifest.json`, else the first step folder holding the file, else the
    /// folder the file would be in.
    private func path(_ s: Source, replicate: Int, condition: String) -> String {
        let dir = ArtifactPaths.conditionDirectory(versionDirectory: s.versionDirectory, replicate: replicate, condition: condition)
        if let step = s.manifestStep { return "\(dir)/\(step)/\(s.spec.fileName)" }
        for step in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
            let p = "\(dir)/\(step)/\(s.spec.fileName)"
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return "\(dir)/<step>/\(s.spec.fileName)"
    }
}
