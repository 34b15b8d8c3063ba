@testable import CrystallizeRuntime
import Foundation
import XCTest

/// The one way from config.yaml to plans: reading opens no plugin; the graph names producers,
/// passes treatments down and filters `--treatment` once; the plan is checked after that.
final class PlanAssemblyTests: XCTestCase {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    /// An experiments folder with the given configs, one folder each.
    func experiments(_ configs: [String: String]) -> String {
        let root = NSTemporaryDirectory() + "assembly-\(UUID().uuidString.prefix(8))/experiments"
        for (name, text) in configs {
            try! FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
            try! text.write(toFile: "\(root)/\(name)/config.yaml", atomically: true, encoding: .utf8)
        }
        return root
    }

    var withMySteps: RunOverrides {
        var o = RunOverrides()
        o.pluginPaths = [PlannerTests.plugin("MySteps")]
        return o
    }

    static let producer = """
        name: producer
        datasource: numbers
        steps:
          - add_delta
          - save_summary: {output: summary}
        outputs:
          summary: {file_name: summary.json, codec: json}
        treatments:
          add_ten: {delta: 10}
          wide: {factor: [1, 2]}
        """
    static let consumer = """
        name: consumer
        datasource:
          up: producer#summary
        steps:
          - summarize_input
          - scale
        treatments:
          double: {factor: 4.0}
        """

    func testReadingAConfigOpensNoPlugin() throws {
        let root = experiments(["p": "name: p\nplugins: [NoSuchPlugin]\ndatasource: numbers\nsteps: [add_delta]\ntreatments:\n  t: {delta: 1}\n"])
        let config = try ExperimentConfig.read(target: root + "/p")
        XCTAssertEqual(config.name, "p")
        XCTAssertEqual(config.writtenTreatments.map(\.name), ["baseline", "t"])
        let m = message { _ = try ExperimentGraph.resolvedPlan(target: root + "/p", registry: PluginRegistry(), overrides: RunOverrides()) }
        XCTAssertTrue(m.contains("config.yaml:2: plugins[0]: plugin 'NoSuchPlugin' not found"), m)
    }

    func testAnInheritedTreatmentIsCheckedAgainstTheConsumersSteps() {
        // `wide` sets factor, which no producer step takes; the consumer's scale takes an f64.
        let root = experiments(["producer": Self.producer, "consumer": Self.consumer])
        XCTAssertNoThrow(try ExperimentGraph.resolvedPlan(target: root + "/producer", registry: PluginRegistry(), overrides: withMySteps))
        let m = message { _ = try ExperimentGraph.resolvedPlan(target: root + "/consumer", registry: PluginRegistry(), overrides: withMySteps) }
        XCTAssertTrue(m.contains("producer/config.yaml:10: treatments.wide.factor: treatment 'wide' sets 'factor' to list, but parameter 'factor' of step 'scale' of experiment 'consumer' ("), m)
        XCTAssertTrue(m.hasSuffix("consumer/config.yaml, which inherits 'wide') must be f64"), m)
    }

    func testTreatmentsFlowDownAndTheFilterSeesInheritedOnes() throws {
        let root = experiments(["producer": Self.producer.replacingOccurrences(of: "\n  wide: {factor: [1, 2]}", with: ""),
                                "consumer": Self.consumer])
        let graph = try ExperimentGraph(target: root + "/consumer", registry: PluginRegistry(), overrides: withMySteps)
        XCTAssertEqual(graph.order.map(\.name), ["producer", "consumer"])
        XCTAssertEqual(graph.order[1].conditions.map(\.name), ["baseline", "add_ten", "double"])
        XCTAssertEqual(graph.inherited["consumer"], ["add_ten"])
        XCTAssertEqual(graph.order[1].inputs["up"]?.experiment, "producer")
        var o = withMySteps
        o.treatments = ["add_ten"]
        let filtered = try ExperimentGraph.resolvedPlan(target: root + "/consumer", registry: PluginRegistry(), overrides: o)
        XCTAssertEqual(filtered.conditions.map(\.name), ["baseline", "add_ten"])
        o.treatments = ["nope"]
        let m = message { _ = try ExperimentGraph.resolvedPlan(target: root + "/consumer", registry: PluginRegistry(), overrides: o) }
        XCTAssertTrue(m.hasSuffix("consumer/config.yaml: treatments: --treatment 'nope' is not defined; defined (own and inherited): add_ten, double"), m)
    }
}
