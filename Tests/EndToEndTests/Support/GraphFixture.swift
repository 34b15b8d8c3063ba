import Foundation
import XCTest

/// A temporary folder holding copies of the repository's example graph
/// (experiments/producer and experiments/consumer), so tests never write into the repo.
struct GraphFixture {
    /// The working folder (the host's current directory).
    let dir: String

    /// A fresh folder with the example producer and consumer copied in.
    init(_ label: String) {
        dir = Harness.temporaryDirectory(label)
        for name in ["producer", "consumer"] {
            let text = Harness.read(Harness.repoRoot.appendingPathComponent("experiments/\(name)/config.yaml").path)
            precondition(!text.isEmpty, "experiments/\(name)/config.yaml is missing from the repository")
            Harness.write(config(name), text)
        }
    }

    /// `experiments/<name>/config.yaml` in the folder.
    func config(_ name: String) -> String { "\(dir)/experiments/\(name)/config.yaml" }

    /// Writes a config for experiment folder `name`.
    func write(_ name: String, _ yaml: String) { Harness.write(config(name), yaml) }

    /// Replaces `old` with `new` in a config; fails the test when `old` is not there.
    func edit(_ name: String, _ old: String, _ new: String, file: StaticString = #filePath, line: UInt = #line) {
        let text = Harness.read(config(name))
        XCTAssertTrue(text.contains(old), "\(name)/config.yaml has no '\(old)'", file: file, line: line)
        Harness.write(config(name), text.replacingOccurrences(of: old, with: new))
    }

    /// The example and the test plugins.
    var plugins: [String] { ["--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("CTestPlugin"), "--plugin", Harness.plugin("ProbeTestPlugin")] }

    /// `crystallize-host <plugins> <arguments>`.
    @discardableResult
    func host(_ arguments: [String]) -> HostRun { Harness.run(plugins + arguments, in: dir) }

    /// Runs `experiments/<target>` with `--json` and returns each experiment's result by name,
    /// in run order; fails the test on a non-zero exit.
    func run(_ target: String = "consumer", _ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> (names: [String], results: [String: [String: Any]], run: HostRun) {
        let r = host(["run", "experiments/\(target)", "--json"] + extra)
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        let list = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [[String: Any]] ?? []
        var byName: [String: [String: Any]] = [:]
        for j in list { byName[j["experiment"] as? String ?? "?"] = j }
        return (list.map { $0["experiment"] as? String ?? "?" }, byName, r)
    }

    /// Runs with `--strategy resume`.
    func resume(_ target: String = "consumer", _ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> (names: [String], results: [String: [String: Any]], run: HostRun) {
        run(target, ["--strategy", "resume"] + extra, file: file, line: line)
    }

    /// `data/<experiment>/v<v>`.
    func version(_ experiment: String, _ v: Int = 0) -> String { "\(dir)/data/\(experiment)/v\(v)" }

    /// A JSON object file as a dictionary (empty when missing).
    func object(_ path: String) -> [String: Any] { Harness.json(path) as? [String: Any] ?? [:] }

    /// A condition's metric values from results.json.
    func metric(_ experiment: String, _ condition: String, _ name: String, v: Int = 0) -> [Double] {
        ((object("\(version(experiment, v))/\(condition)/results.json")["metrics"] as? [String: Any])?[name] as? [Double]) ?? []
    }

    /// Whether a path exists.
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Removes a file, failing the test when it is not there.
    func remove(_ path: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNoThrow(try FileManager.default.removeItem(atPath: path), path, file: file, line: line)
    }
}
