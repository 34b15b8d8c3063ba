import Foundation
import XCTest

/// A temporary working folder with experiments in it, run by the real host with the MySteps,
/// CTestPlugin and ProbeTestPlugin plugins loaded: the shape most engine tests share.
struct ExperimentFixture {
    /// The working folder (the host's current directory).
    let dir: String

    /// A fresh folder; `label` shows in its name for post-mortems.
    init(_ label: String) { dir = Harness.temporaryDirectory(label) }

    /// `--plugin` arguments for the example and the test plugins.
    var plugins: [String] { ["--plugin", Harness.plugin("MySteps"), "--plugin", Harness.plugin("CTestPlugin"), "--plugin", Harness.plugin("ProbeTestPlugin")] }

    /// Writes `experiments/<name>/config.yaml`; returns the folder argument for `run`.
    @discardableResult
    func experiment(_ name: String, _ yaml: String) -> String {
        Harness.write("\(dir)/experiments/\(name)/config.yaml", yaml)
        return "experiments/\(name)"
    }

    /// `crystallize-host <plugins> <arguments>` in the folder.
    @discardableResult
    func host(_ arguments: [String], extraPlugins: [String] = [], environment: [String: String] = [:]) -> HostRun {
        Harness.run(plugins + extraPlugins.flatMap { ["--plugin", $0] } + arguments, in: dir, environment: environment)
    }

    /// `run <experiment> --quiet <extra>`.
    @discardableResult
    func run(_ experiment: String, _ extra: [String] = [], extraPlugins: [String] = [], environment: [String: String] = [:]) -> HostRun {
        host(["run", experiment, "--quiet"] + extra, extraPlugins: extraPlugins, environment: environment)
    }

    /// The version folder of an experiment under `data/`.
    func version(_ experiment: String, _ v: Int = 0, dataRoot: String = "data") -> String { "\(dir)/\(dataRoot)/\(experiment)/v\(v)" }

    /// A JSON object written by the host, or a test failure. The host writes non-finite
    /// numbers as Python's json module does (NaN, Infinity); they are read here as null.
    func object(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> [String: Any] {
        guard let o = Harness.hostJSONObject(Harness.read(path)) else {
            XCTFail("\(path) is missing or not a JSON object", file: file, line: line)
            return [:]
        }
        return o
    }

    /// A condition's metric values from results.json.
    func metric(_ experiment: String, _ condition: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) -> [Double]? {
        let results = object("\(version(experiment))/\(condition)/results.json", file: file, line: line)
        return (results["metrics"] as? [String: Any])?[name] as? [Double]
    }

    /// The run's step records (`runs`), as `show --provenance` joins them from the journal.
    func provenanceRuns(_ experiment: String, file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
        guard let runs = Harness.provenance(experiment, in: dir)?["runs"] as? [[String: Any]] else {
            XCTFail("show --provenance \(experiment) printed no runs", file: file, line: line)
            return []
        }
        return runs
    }

    /// Every file and folder under `root` (relative paths) with each file's bytes: what a
    /// failed run must leave exactly as it was.
    func snapshot(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        guard let e = FileManager.default.enumerator(atPath: root) else { return out }
        while let rel = e.nextObject() as? String {
            out[rel] = FileManager.default.contents(atPath: "\(root)/\(rel)") ?? Data("<folder>".utf8)
        }
        return out
    }

    /// Relative paths of every entry under `root`.
    func files(_ root: String) -> [String] { snapshot(root).keys.sorted() }
}
