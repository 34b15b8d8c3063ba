import ChildProcesses
import Foundation
import XCTest

/// What one run of the real host binary did.
struct HostRun {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Both streams, for failure messages.
    var output: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs the built `crystallize-host` and finds the built plugins. The products folder is the
/// one holding this test bundle, so `swift build && swift test` (any --scratch-path) works.
enum Harness {
    /// The build products folder (.build/debug or the scratch path's equivalent).
    static let productsDirectory: URL = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent()
    }()

    /// The repository root.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The host binary.
    static var host: String { productsDirectory.appendingPathComponent("crystallize-host").path }

    /// The header folder, for compiling C plugins in tests.
    static var includeDirectory: String { repoRoot.appendingPathComponent("Sources/CCrystallize/include").path }

    /// Path of a built plugin product (`swift build` builds them all).
    static func plugin(_ product: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let p = productsDirectory.appendingPathComponent("lib\(product).so").path
        if !FileManager.default.fileExists(atPath: p) {
            XCTFail("\(p) is missing: run `swift build` before `swift test` (the README's test command does)", file: file, line: line)
        }
        return p
    }

    /// A fresh temporary folder, removed at process exit only by the OS (kept for post-mortems).
    static func temporaryDirectory(_ label: String = "t") -> String {
        let p = NSTemporaryDirectory() + "crystallize-e2e-\(label)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    /// Writes `text` to `path`, creating folders.
    static func write(_ path: String, _ text: String) {
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Reads a file as text ("" if missing).
    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Runs the host with `arguments` in `directory`, waiting at most `timeout` seconds.
    @discardableResult
    static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:], timeout: TimeInterval = 120) -> HostRun {
        guard FileManager.default.isExecutableFile(atPath: host) else {
            return HostRun(status: -1, stdout: "", stderr: "\(host) is missing: run `swift build` before `swift test`")
        }
        let r = Command(host, arguments, environment: hostEnvironment(directory, environment), directory: directory, timeout: timeout).runBlocking()
        // A host killed by a signal reports the signal number, as Foundation.Process did.
        return HostRun(status: r.signal ?? r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// The variables a host run gets on top of this process's: the step cache defaults to a
    /// folder inside `directory` so tests never share entries.
    static func hostEnvironment(_ directory: String, _ extra: [String: String]) -> [String: String?] {
        var env: [String: String?] = ["CRYSTALLIZE_CACHE_DIR": ProcessInfo.processInfo.environment["CRYSTALLIZE_CACHE_DIR"] ?? (directory + "/.cache")]
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// Starts the host without waiting (for kill and interrupt tests); its output is collected
    /// as it comes (`stdout`, `stderr`).
    static func start(_ arguments: [String], in directory: String, environment: [String: String] = [:]) -> BackgroundCommand {
        try! BackgroundCommand(Command(host, arguments, environment: hostEnvironment(directory, environment), directory: directory))
    }

    /// Compiles a C plugin source against crystallize.h into a shared library; returns its path.
    static func compileC(_ source: String, name: String, in directory: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let src = "\(directory)/\(name).c", lib = "\(directory)/lib\(name).so"
        write(src, source)
        let r = Command("cc", ["-shared", "-fPIC", "-O1", "-I", includeDirectory, "-o", lib, src]).runBlocking()
        if r.status != 0 {
            XCTFail("cc failed for \(name): \(r.diagnostic)", file: file, line: line)
        }
        return lib
    }

    /// Parses a JSON file written by the host.
    /// The whole provenance of a stored run as `crystallize-host show --provenance` prints it
    /// (provenance.json joined with the journal's step records), or nil if it fails.
    static func provenance(_ experiment: String, dataDir: String = "data", in directory: String) -> [String: Any]? {
        let r = run(["show", experiment, "--data-dir", dataDir, "--provenance"], in: directory)
        guard r.status == 0 else { return nil }
        return hostJSONObject(r.stdout)
    }

    /// A JSON object as the host writes it: non-finite numbers in Python's spelling (NaN,
    /// Infinity), read here as null.
    static func hostJSONObject(_ text: String) -> [String: Any]? {
        let text = text.replacingOccurrences(of: "-Infinity", with: "null")
            .replacingOccurrences(of: "Infinity", with: "null").replacingOccurrences(of: "NaN", with: "null")
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    static func json(_ path: String) -> Any? {
        guard let d = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONSerialization.jsonObject(with: d, options: [.fragmentsAllowed])
    }
}
