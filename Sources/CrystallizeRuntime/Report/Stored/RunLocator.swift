import Foundation

/// Finds a stored run from what a user types: `<experiment>[@vN]` (a name, an experiment
/// folder or its config.yaml; the latest version without `@vN`) under a data folder, or the
/// path of a version folder itself.
public enum RunLocator {
    /// The version folder `reference` names.
    public static func versionDirectory(_ reference: String, dataRoot: String) throws -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDir), isDir.boolValue,
           FileManager.default.fileExists(atPath: "\(reference)/metadata.json") {
            return (reference as NSString).standardizingPath
        }
        var name = reference
        var version: Int? = nil
        if let at = reference.lastIndex(of: "@") {
            let tail = reference[reference.index(after: at)...]
            guard tail.hasPrefix("v"), let v = Int(tail.dropFirst()), v >= 0 else {
                throw StoreError("'\(reference)': expected <experiment>@vN (e.g. demo@v2), or a run folder holding metadata.json")
            }
            name = String(reference[..<at]); version = v
        }
        let found = try RunViewer.locate(experiment: name, dataRoot: dataRoot, version: version)
        return found.store.versionDirectory(found.version)
    }
}
