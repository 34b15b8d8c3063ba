import Foundation

/// Keeps the newest N versions whole (minus large files in the older kept ones) and reduces
/// versions beyond N to their metrics: results.json, markers and metadata stay, artifacts go.
enum Retention {
    static func prune(store: RunStore, keep: Int, largeFileBytes: Int, current: Int, log: (String) -> Void) {
        let versions = store.versions().filter { $0 != current }.sorted(by: >)
        for (i, v) in versions.enumerated() {
            let dir = store.versionDirectory(v)
            let keepWhole = i < keep - 1
            guard let e = FileManager.default.enumerator(atPath: dir) else { continue }
            var removed = 0
            while let rel = e.nextObject() as? String {
                guard rel.hasPrefix("replicate_") else { continue }
                let p = "\(dir)/\(rel)"
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue else { continue }
                let size = (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0
                if !keepWhole || size > largeFileBytes { try? FileManager.default.removeItem(atPath: p); removed += 1 }
            }
            if !keepWhole {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix("replicate_") {
                    try? FileManager.default.removeItem(atPath: "\(dir)/\(name)")
                }
            }
            if removed > 0 { log("retention: pruned \(removed) artifact file(s) from v\(v)") }
        }
    }
}
