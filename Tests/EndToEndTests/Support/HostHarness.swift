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
        let (p, out, err) = hostProcess(arguments, in: directory, environment: environment)
        p.standardInput = FileHandle.nullDevice
        guard FileManager.default.isExecutableFile(atPath: host) else {
            return HostRun(status: -1, stdout: "", stderr: "\(host) is missing: run `swift build` before `swift test`")
        }
        try! p.run()
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        final class Sink: @unchecked Sendable { var data = Data() }
        let outSink = Sink(), errSink = Sink()
        let group = DispatchGroup()
        group.enter(); DispatchQueue.global().async { outSink.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { errSink.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = DispatchTime.now() + timeout
        if group.wait(timeout: deadline) == .timedOut { p.terminate(); group.wait() }
        p.waitUntilExit()
        return HostRun(status: p.terminationStatus, stdout: String(decoding: outSink.data, as: UTF8.self), stderr: String(decoding: errSink.data, as: UTF8.self))
    }

    /// Starts the host without waiting (for kill and interrupt tests).
    static func start(_ arguments: [String], in directory: String, environment: [String: String] = [:]) -> (Process, Pipe, Pipe) {
        let (p, out, err) = hostProcess(arguments, in: directory, environment: environment)
        try! p.run()
        return (p, out, err)
    }

    /// A host process in `directory` with piped output; the step cache defaults to a folder
    /// inside `directory` so tests never share entries.
    private static func hostProcess(_ arguments: [String], in directory: String, environment: [String: String]) -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: host)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["CRYSTALLIZE_CACHE_DIR"] = env["CRYSTALLIZE_CACHE_DIR"] ?? (directory + "/.cache")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        return (p, out, err)
    }

    /// Compiles a C plugin source against crystallize.h into a shared library; returns its path.
    static func compileC(_ source: String, name: String, in directory: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let src = "\(directory)/\(name).c", lib = "\(directory)/lib\(name).so"
        write(src, source)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["cc", "-shared", "-fPIC", "-O1", "-I", includeDirectory, "-o", lib, src]
        let err = Pipe()
        p.standardError = err
        try! p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            XCTFail("cc failed for \(name): \(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))", file: file, line: line)
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
