@testable import CrystallizeRuntime
import Foundation
import OrderedCollections
import XCTest

/// config.yaml to Plan: YAML positions, typed accessors, metric groups, treatments, seeds,
/// overrides, and plugin entries already satisfied by --plugin.
final class PlannerTests: XCTestCase {
    /// The build products folder holding this test bundle, and the plugins built next to it.
    static let products = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        .deletingLastPathComponent().path
    static func plugin(_ name: String) -> String { "\(products)/lib\(name).so" }

    func parse(_ text: String) throws -> YAMLNode { try YAMLNode.parse(text, file: "f.yaml") }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func testInvalidYAMLNamesFileAndLine() {
        XCTAssertTrue(message { _ = try parse("a: 1\nb: [1, 2\nc: 3\n") }.hasPrefix("f.yaml:3: invalid YAML: "))
        XCTAssertEqual(message { _ = try parse("") }, "f.yaml: the file is empty")
        let tab = message { _ = try parse("a:\n\t- 1\n") }
        XCTAssertTrue(tab.hasPrefix("f.yaml:2: invalid YAML"), tab)
    }

    func testDuplicateKeysPointAtTheRepeat() {
        XCTAssertEqual(message { _ = try parse("a: 1\nb: 2\na: 3\n") }, "f.yaml:3: key 'a' appears twice in the same mapping (first at line 1)")
        XCTAssertEqual(message { _ = try parse("t:\n  x: 1\n  y: 2\n  x: 3\n") }, "f.yaml:4: key 'x' appears twice in the same mapping (first at line 2)")
        XCTAssertEqual(message { _ = try parse("p: {k: 1, k: 2}\n") }, "f.yaml:1: key 'k' appears twice in the same mapping (first at line 1)")
        // A key that merely starts with the duplicate's name is not mistaken for it.
        XCTAssertEqual(message { _ = try parse("ab: 0\na: 1\na: 2\n") }, "f.yaml:3: key 'a' appears twice in the same mapping (first at line 2)")
    }

    func testAccessorsNameWhatTheyExpectAndWhere() throws {
        let root = try parse("n: ten\nb: yes please\nl: [1]\nf: 1.5\n")
        let fields = Dictionary(uniqueKeysWithValues: try root.mapping().map { ($0.key, $0.node) })
        XCTAssertEqual(message { _ = try fields["n"]!.int() }, "f.yaml:1: n: expected an integer, got a string ('ten')")
        XCTAssertEqual(message { _ = try fields["b"]!.bool() }, "f.yaml:2: b: expected true or false, got a string ('yes please')")
        XCTAssertEqual(message { _ = try fields["l"]!.string() }, "f.yaml:3: l: expected a string, got a list")
        XCTAssertEqual(message { _ = try fields["f"]!.int() }, "f.yaml:4: f: expected an integer, got a number")
        XCTAssertEqual(try fields["f"]!.value(), .double(1.5))
        XCTAssertEqual(try fields["l"]!.value(), .list([.int(1)]))
        XCTAssertEqual(message { try root.checkKeys(["n", "b"]) }, "f.yaml:3: l: unknown key 'l'; allowed here: n, b")
    }

    func testMetricGroupsFollowCrystallizeML() throws {
        func groups(_ yaml: String) throws -> [[String]] { try Planner.metricGroups(try parse("m: \(yaml)\n").mapping()[0].node) }
        XCTAssertEqual(try groups("total"), [["total"]])
        XCTAssertEqual(try groups("[a, b]"), [["a", "b"]])
        XCTAssertEqual(try groups("[[a], [b, c]]"), [["a"], ["b", "c"]])
        XCTAssertTrue(message { _ = try groups("[a, [b]]") }.contains("mix of names and lists"))
        XCTAssertTrue(message { _ = try groups("[]") }.contains("metrics must not be empty"))
        XCTAssertTrue(message { _ = try groups("[[]]") }.contains("metrics must not be empty"))
    }

    func testTreatmentsBaselineReplacementAndSelection() throws {
        let root = try parse("treatments:\n  a: {x: 1}\n  baseline: {x: 0}\n  b:\n")
        let node = try root.mapping()[0].node
        let all = try ExperimentConfig.parseTreatments(node)
        XCTAssertEqual(all.map(\.name), ["baseline", "a", "b"])
        XCTAssertEqual(all[0].additions, ["x": .int(0)], "a treatment named baseline replaces the baseline's additions")
        XCTAssertEqual(all[2].additions, [:])
        XCTAssertEqual(try ExperimentConfig.parseTreatments(nil), [Condition(name: "baseline", additions: [:])])
    }

    func testSeedOfAReplicateIsModulo2To32() throws {
        var draft = PlanDraft(name: "s", description: "", directory: "/", configPath: "/c", configSHA256: "", replicates: 3,
                        seed: 4_294_967_295, datasource: nil, steps: [], conditions: [], hypotheses: [], outputs: [:], hooks: [],
                        execution: ExecutionSettings(), strategy: SerialStrategy(), registry: PluginRegistry(), dataRoot: "/d", cacheEnabled: false)
        let plan = try Plan(draft)
        XCTAssertEqual(plan.seedUsed(replicate: 0), 4_294_967_295)
        XCTAssertEqual(plan.seedUsed(replicate: 1), 31336)
        XCTAssertEqual(plan.seedUsed(replicate: 2), 62673)
        draft.seed = 42
        XCTAssertEqual(try Plan(draft).seedUsed(replicate: 10), 42 + 313_370)
        XCTAssertEqual(plan.experimentDataDirectory, "/d/s")
    }

    func writeConfig(_ text: String) -> String {
        let dir = NSTemporaryDirectory() + "planner-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try! text.write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    func testPlanResolvesEverythingAndAppliesOverrides() throws {
        let dir = writeConfig("""
        name: full
        replicates: 4
        seed: 9
        datasource:
          numbers: {count: 5}
        steps:
          - add_delta
          - add_delta: {delta: 2}
          - {name: tally, step: record_metric}
        treatments:
          add_ten: {delta: 10}
          other: {delta: 1}
        hypotheses:
          - verifier: welch_t_test
            metrics: total
        """)
        var o = RunOverrides()
        o.pluginPaths = [Self.plugin("MySteps")]
        o.replicates = 7
        o.seed = 11
        o.dataRoot = "/tmp/somewhere/../results"
        o.treatments = ["other"]
        let plan = try ExperimentGraph.resolvedPlan(target: dir, registry: PluginRegistry(), overrides: o)
        XCTAssertEqual(plan.name, "full")
        XCTAssertEqual(plan.replicates, 7)
        XCTAssertEqual(plan.seed, 11)
        XCTAssertEqual(plan.dataRoot, "/tmp/results")
        XCTAssertEqual(plan.configPath, URL(fileURLWithPath: dir + "/config.yaml").standardizedFileURL.path)
        XCTAssertEqual(plan.datasource?.name, "numbers")
        XCTAssertEqual(plan.datasource?.explicitParams, ["count": .int(5)])
        XCTAssertEqual(plan.steps.map(\.name), ["add_delta", "add_delta_2", "tally"], "repeated steps get distinct names")
        XCTAssertEqual(plan.steps[1].explicitParams, ["delta": .int(2)])
        XCTAssertNotEqual(plan.steps[0].identity, plan.steps[1].identity, "params are part of a step's identity")
        XCTAssertEqual(plan.conditions.map(\.name), ["baseline", "other"])
        XCTAssertEqual(plan.hypotheses.first?.name, "hypothesis")
        XCTAssertEqual(plan.hypotheses.first?.rankBy, "p_value")
        XCTAssertEqual(plan.hypotheses.first?.metricGroups, [["total"]])
    }

    func testPluginsEntryIsSatisfiedByAPluginGivenOnTheCommandLine() throws {
        // The temp folder has no .build nearby: only the --plugin copy can satisfy the entry.
        let dir = writeConfig("name: p\nplugins: [MySteps]\ndatasource: numbers\nsteps: [add_delta]\n")
        var o = RunOverrides()
        o.pluginPaths = [Self.plugin("MySteps")]
        let registry = PluginRegistry()
        let plan = try ExperimentGraph.resolvedPlan(target: dir, registry: registry, overrides: o)
        XCTAssertEqual(registry.plugins.map(\.name), ["MySteps"])
        XCTAssertEqual(plan.steps.map(\.name), ["add_delta"])
        let missing = message { _ = try ExperimentGraph.resolvedPlan(target: dir, registry: PluginRegistry(), overrides: RunOverrides()) }
        XCTAssertTrue(missing.contains("config.yaml:2: plugins[0]: plugin 'MySteps' not found"), missing)
    }

    func testTreatmentValuesAreTypeCheckedAgainstTheParametersTheyFeed() {
        let dir = writeConfig("name: t\ndatasource: numbers\nsteps:\n  - add_delta\ntreatments:\n  bad: {delta: [1]}\n  fine: {unrelated: x}\n")
        var o = RunOverrides()
        o.pluginPaths = [Self.plugin("MySteps")]
        let m = message { _ = try ExperimentGraph.resolvedPlan(target: dir, registry: PluginRegistry(), overrides: o) }
        XCTAssertTrue(m.hasSuffix("config.yaml:6: treatments.bad.delta: treatment 'bad' sets 'delta' to list, but parameter 'delta' of step 'add_delta' must be f64"), m)
        // An explicit param wins over the treatment, so its type does not matter there.
        let explicit = writeConfig("name: t\ndatasource: numbers\nsteps:\n  - add_delta: {delta: 1}\ntreatments:\n  bad: {delta: [1]}\n")
        XCTAssertNoThrow(try ExperimentGraph.resolvedPlan(target: explicit, registry: PluginRegistry(), overrides: o))
    }
}
