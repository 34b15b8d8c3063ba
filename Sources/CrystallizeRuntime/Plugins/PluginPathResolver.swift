import Foundation

/// Resolves a `--plugin` argument the way the README's card writes it: an existing path as
/// is; `.build/libMySteps.so` (no configuration folder) in `.build/debug` or `.build/release`;
/// a bare product name (`MySteps`) like a `plugins:` entry. A path found nowhere is an error
/// that lists the files of that name that do exist.
public enum PluginPathResolver {
    /// A resolved argument: the path to load and, when it differs from what was written, a note
    /// saying where it was found.
    public struct Resolution: Equatable {
        /// The library to load.
        public var path: String
        /// "--plugin X: using Y" when X was not loadable as written.
        public var note: String?
    }

    /// Resolves `argument` relative to `base` (the working directory).
    public static func resolve(_ argument: String, base: String = FileManager.default.currentDirectoryPath) throws -> Resolution {
        let fm = FileManager.default
        let absolute = argument.hasPrefix("/") ? argument : (base as NSString).appendingPathComponent(argument)
        if fm.fileExists(atPath: absolute) { return Resolution(path: argument, note: nil) }
        let isPath = argument.contains("/") || argument.hasSuffix(".so") || argument.hasSuffix(".dylib")
        if !isPath {
            do {
                let found = try PluginRegistry.locate(product: argument, base: base)
                return Resolution(path: found, note: "--plugin \(argument): using \(relative(found, base: base))")
            } catch let e as PluginError {
                throw PluginError(message: e.description + suggestions(for: "lib\(argument).so", base: base))
            }
        }
        // `.build/libX.so`: SwiftPM puts products one level deeper, in the configuration's folder.
        let dir = (absolute as NSString).deletingLastPathComponent, file = (absolute as NSString).lastPathComponent
        for configuration in ["debug", "release"] {
            let candidate = ((dir as NSString).appendingPathComponent(configuration) as NSString).appendingPathComponent(file)
            if fm.fileExists(atPath: candidate) {
                let shown = argument.hasPrefix("/") ? candidate : relative(candidate, base: base)
                return Resolution(path: candidate, note: "--plugin \(argument): not there; using the \(configuration) build \(shown)")
            }
        }
        throw PluginError(message: "--plugin \(argument): no such file" + suggestions(for: file, base: base))
    }

    /// "; found: a, b" listing files named `file` in the build folders below `base`, or a hint
    /// to build the product when there are none.
    static func suggestions(for file: String, base: String) -> String {
        let fm = FileManager.default
        var found: [String] = []
        let build = (base as NSString).appendingPathComponent(".build")
        var dirs = ["debug", "release"].map { (build as NSString).appendingPathComponent($0) }
        // Triple-named folders (.build/x86_64-unknown-linux-gnu/debug) hold the real files.
        for triple in (try? fm.contentsOfDirectory(atPath: build)) ?? [] where triple.contains("-") {
            dirs += ["debug", "release"].map { ((build as NSString).appendingPathComponent(triple) as NSString).appendingPathComponent($0) }
        }
        for d in dirs {
            let p = (d as NSString).appendingPathComponent(file)
            if fm.fileExists(atPath: p) { found.append(relative(p, base: base)) }
        }
        if !found.isEmpty { return "; files of that name that exist: \(found.joined(separator: ", "))" }
        var product = (file as NSString).deletingPathExtension
        if product.hasPrefix("lib") { product.removeFirst(3) }
        return "; no \(file) under \(relative(build, base: base)) (build it with `swift build --product \(product)`)"
    }

    static func relative(_ path: String, base: String) -> String {
        let b = base.hasSuffix("/") ? base : base + "/"
        return path.hasPrefix(b) ? String(path.dropFirst(b.count)) : path
    }
}
