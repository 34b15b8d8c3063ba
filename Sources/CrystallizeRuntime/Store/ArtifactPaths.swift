import Foundation

/// Where artifacts live: `vN/replicate_<r>/<condition>/<step>/<name>`, as crystallize-ml lays
/// them out, and the rule that keeps a name inside its folder.
public enum ArtifactPaths {
    /// Refuses names that would escape the step's folder.
    public static func checkName(_ name: String, step: String) throws {
        if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains("\\") || name.contains("\0") || name.hasPrefix("..") {
            throw StoreError("step '\(step)' tried to write artifact '\(name)': artifact names may not be empty or contain '/', '\\' or '..'")
        }
    }

    /// The folder of one replicate and condition.
    public static func conditionDirectory(versionDirectory: String, replicate: Int, condition: String) -> String {
        "\(versionDirectory)/replicate_\(replicate)/\(condition)"
    }

    /// The file of one artifact.
    public static func file(versionDirectory: String, replicate: Int, condition: String, step: String, name: String) -> String {
        "\(conditionDirectory(versionDirectory: versionDirectory, replicate: replicate, condition: condition))/\(step)/\(name)"
    }
}
