import Foundation
import OrderedCollections

/// crystallize-ml's resume rules. Resume re-runs when the pipeline signature changed (step
/// names, params, plugin binary), the treatments differ (names or payloads), an upstream
/// re-ran, or the marker or metadata is missing; we add a changed replicate count, seed or
/// declared outputs, and artifact files deleted since the run.
enum ResumeDecision {
    enum Verdict {
        /// Complete and unchanged: load it.
        case load(version: Int)
        /// Unchanged but unfinished: run what is missing in this version.
        case continueRun(version: Int)
        /// Run afresh, for this reason.
        case rerun(reason: String)
    }

    static func decide(plan: Plan, store: RunStore, upstream: OrderedDictionary<String, Value>) throws -> Verdict {
        guard let v = store.versions().last else { return .rerun(reason: "no earlier run") }
        let meta: OrderedDictionary<String, Value>
        do {
            guard let m = try store.readMetadata(v) else { return .rerun(reason: "metadata.json is missing in v\(v)") }
            meta = m
        } catch {
            // A damaged file is bad input, not a reason to replace the run it describes.
            throw StoreError("cannot resume: \(error); repair or delete \(store.metadataPath(v)), or run with --strategy rerun")
        }
        if meta["status"] == .string("pruned") { return .rerun(reason: "v\(v) was pruned by artifact retention") }
        // Checked before the signature (which covers it too) to name the reason: results
        // drawn under one random-stream rule are never continued under the other.
        let storedStreams: String
        if case .string(let rule)? = meta["random_streams"] { storedStreams = rule } else { storedStreams = RandomStreams.independent.rawValue }
        if storedStreams != plan.randomStreams.rawValue {
            return .rerun(reason: "the random-stream rule changed (stored run: \(storedStreams)\(meta["random_streams"] == nil ? ", from before the rule was recorded" : ""); now: \(plan.randomStreams.rawValue))")
        }
        if meta["pipeline_signature"] != .string(plan.pipelineSignature) { return .rerun(reason: "the pipeline signature changed (steps, parameters or plugin binaries)") }
        if meta["treatments"] != RunMetadata.treatments(plan) { return .rerun(reason: "the treatments differ from the stored run") }
        if meta["replicates"] != .int(Int64(plan.replicates)) { return .rerun(reason: "the replicate count changed") }
        if meta["seed"] != .int(Int64(plan.seed)) { return .rerun(reason: "the seed changed") }
        if RunMetadata.outputSpecs(meta["outputs"]) != RunMetadata.outputSpecs(RunMetadata.outputs(plan, versionDirectory: nil)) {
            return .rerun(reason: "the declared outputs changed (names, file names or codecs)")
        }
        if (meta["upstream"] ?? .map([:])) != .map(upstream) {
            let changed = upstream.keys.filter { meta.upstreamEntry($0) != upstream[$0] }
            return .rerun(reason: "upstream experiment \(changed.map { "'\($0)'" }.joined(separator: ", ")) re-ran since this run read it")
        }
        if store.isComplete(v, conditions: plan.conditions.map(\.name)) {
            if let missing = missingArtifacts(plan: plan, store: store, version: v, meta: meta) { return .rerun(reason: missing) }
            return .load(version: v)
        }
        if JournalFormats.hasCheckpoints(store.versionDirectory(v)) { return .continueRun(version: v) }
        return .rerun(reason: "the completion marker is missing in v\(v)")
    }

    /// A complete run only counts while the artifact files it published are still there:
    /// a consumer reading a deleted one would fail. metadata.json records how many files each
    /// output had when the run finished.
    static func missingArtifacts(plan: Plan, store: RunStore, version v: Int, meta: OrderedDictionary<String, Value>) -> String? {
        guard case .map(let recorded)? = meta["outputs"] else { return nil }
        let vdir = store.versionDirectory(v)
        for (name, spec) in plan.outputs {
            guard case .map(let o)? = recorded[name], case .int(let expected)? = o["files"], expected > 0 else { continue }
            let now = ArtifactCensus.count(versionDirectory: vdir, fileName: spec.fileName)
            guard now < Int(expected) else { continue }
            var reason = "\(Int(expected) - now) of \(expected) artifact file(s) of output '\(name)' (\(spec.fileName)) are missing from \(vdir)"
            if let first = ArtifactCensus.firstMissing(plan: plan, versionDirectory: vdir, fileName: spec.fileName, step: store.readManifest(v)[spec.fileName]) {
                reason += ", e.g. \(first)"
            }
            return reason
        }
        return nil
    }
}

private extension OrderedDictionary where Key == String, Value == CrystallizeRuntime.Value {
    func upstreamEntry(_ name: String) -> CrystallizeRuntime.Value? {
        if case .map(let m)? = self["upstream"] { return m[name] }
        return nil
    }
}

/// Counts and finds artifact files of one name in a version folder
/// (`replicate_<r>/<condition>/<step>/<file>`).
enum ArtifactCensus {
    static func count(versionDirectory dir: String, fileName: String) -> Int {
        let fm = FileManager.default
        var n = 0
        for rep in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []) where rep.hasPrefix("replicate_") {
            for cond in (try? fm.contentsOfDirectory(atPath: "\(dir)/\(rep)")) ?? [] {
                for step in (try? fm.contentsOfDirectory(atPath: "\(dir)/\(rep)/\(cond)")) ?? [] where fm.fileExists(atPath: "\(dir)/\(rep)/\(cond)/\(step)/\(fileName)") {
                    n += 1
                }
            }
        }
        return n
    }

    /// The first expected file that is gone, in replicate then condition order, when the
    /// writing step is known from the manifest.
    static func firstMissing(plan: Plan, versionDirectory dir: String, fileName: String, step: String?) -> String? {
        guard let step else { return nil }
        for r in 0..<plan.replicates {
            for c in plan.conditions {
                let p = ArtifactPaths.file(versionDirectory: dir, replicate: r, condition: c.name, step: step, name: fileName)
                if !FileManager.default.fileExists(atPath: p) { return p }
            }
        }
        return nil
    }
}
