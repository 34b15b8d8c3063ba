import ChildProcesses
import Foundation
import XCTest

/// crystallize-ml 0.27 itself reads what the host writes: its `Artifact.fetch` (metadata.json
/// replicates, _manifest.json, replicate i mod n, baseline fallback) and results.json.
/// Runs when CRYSTALLIZE_ML_PYTHON names a Python with crystallize-ml installed (`.ci/run` sets one up).
final class CrystallizeCompatibilityTests: XCTestCase {
    func testCrystallizeMLLoadsOurArtifactsAndResults() throws {
        guard let python = ProcessInfo.processInfo.environment["CRYSTALLIZE_ML_PYTHON"], FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("set CRYSTALLIZE_ML_PYTHON to a python with crystallize-ml 0.27 installed")
        }
        let dir = Harness.temporaryDirectory("compat")
        for name in ["producer", "consumer"] {
            Harness.write("\(dir)/experiments/\(name)/config.yaml", Harness.read(Harness.repoRoot.appendingPathComponent("experiments/\(name)/config.yaml").path))
        }
        let run = Harness.run(["--plugin", Harness.plugin("MySteps"), "run", "experiments/consumer"], in: dir)
        XCTAssertEqual(run.status, 0, run.output)
        Harness.write("\(dir)/compat.py", """
        import json
        from types import SimpleNamespace
        from crystallize import Artifact
        from crystallize.plugins.plugins import ArtifactPlugin
        from crystallize.utils.context import FrozenContext

        plugin = ArtifactPlugin(root_dir="data")
        art = Artifact("summary.json", loader=lambda p: json.loads(p.read_text()))
        art._producer = SimpleNamespace(name="producer", id="producer", get_plugin=lambda cls: plugin)
        out = {}
        for rep, cond in [(0, "baseline"), (4, "add_ten"), (5, "double")]:
            out[f"{rep}/{cond}"] = art.fetch(FrozenContext({"replicate": rep, "condition": cond}))["replicate"]
        out["totals"] = len(json.load(open("data/producer/v0/add_ten/results.json"))["metrics"]["total"])
        print(json.dumps(out))
        """)
        let r = Command(python, ["compat.py"], directory: dir).runBlocking()
        let stderr = r.stderr
        XCTAssertEqual(r.status, 0, stderr)
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Int], stderr)
        // The producer has 3 replicates: consumer replicates 4 and 5 read producer 1 and 2.
        XCTAssertEqual(result, ["0/baseline": 0, "4/add_ten": 1, "5/double": 2, "totals": 3])
        XCTAssertTrue(stderr.contains("falling back to 'baseline'"), "the treatment without its own artifact falls back: \(stderr)")
    }
}
