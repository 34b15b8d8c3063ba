import Foundation
import OrderedCollections

/// crystallize-ml's artifact retention for versioned runs: the newest N versions are kept
/// (the current one whole; in the older kept ones, files above the size threshold go), and
/// versions beyond N are reduced to their metrics: results.json per condition, plus a
/// metadata.json marked "pruned" so nothing mistakes them for complete runs.
enum Retention {
    /// Files a kept version never loses, however large.
    static let protected: Set<String> = ["results.json", "_manifest.json", "metadata.json"]

    static func prune(store: RunStore, keep: Int, largeFileBytes: Int, current: Int, log: (String) -> Void) {
        let versions = store.versions()
        let kept = Set(keep > 0 ? versions.suffix(keep) : versions[...])
        for v in versions where v != current {
            let dir = store.versionDirectory(v)
            let files = allFiles(under: dir)
            var removed = 0
            if kept.contains(v) {
                for rel in files where !protected.contains((rel as NSString).lastPathComponent) && size("\(dir)/\(rel)") > largeFileBytes {
                    if (try? FileManager.default.removeItem(atPath: "\(dir)/\(rel)")) != nil { removed += 1 }
                }
                if removed > 0 { log("retention: removed \(removed) file(s) larger than \(largeFileBytes) bytes from \(dir)") }
                continue
            }
            for rel in files where (rel as NSString).lastPathComponent != "results.json" && rel != "metadata.json" {
                if (try? FileManager.default.removeItem(atPath: "\(dir)/\(rel)")) != nil { removed += 1 }
            }
            removeEmptyFolders(dir)
            if case .some(.some(var m)) = try? store.readMetadata(v), m["status"] != .string("pruned") {
                m["status"] = .string("pruned")
                m["pruned"] = .string(HostInfo.now())
                try? AtomicFile.write(store.metadataPath(v), text: JSONText.encode(.map(m), indent: 2))
            }
            if removed > 0 { log("retention: reduced \(dir) to its results (\(removed) file(s) removed; keeping the newest \(keep) version(s))") }
        }
    }

    /// Every regular file below `dir`, hidden ones included, as relative paths.
    static func allFiles(under dir: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(dir)/\(rel)", isDirectory: &isDir), !isDir.boolValue { out.append(rel) }
        }
        return out
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Removes folders left empty, deepest first; the version folder itself stays.
    static func removeEmptyFolders(_ dir: String) {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return }
        var folders: [String] = []
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(dir)/\(rel)", isDirectory: &isDir), isDir.boolValue { folders.append(rel) }
        }
        for rel in folders.sorted(by: { $0.count > $1.count }) {
            let p = "\(dir)/\(rel)"
            if ((try? FileManager.default.contentsOfDirectory(atPath: p)) ?? ["?"]).isEmpty { try? FileManager.default.removeItem(atPath: p) }
        }
    }
}
