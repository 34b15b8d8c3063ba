@testable import CrystallizeRuntime
import OrderedCollections
import XCTest

/// RunContext's rules and parameter resolution, without running a pipeline.
final class ContextTests: XCTestCase {
    func testKeysAreAddOnlyAndTheErrorNamesKeyAndStep() throws {
        let ctx = RunContext()
        ctx.setHostKey("replicate", .int(0))
        ctx.beginStep("first")
        try ctx.add("k", .int(1))
        ctx.beginStep("second")
        XCTAssertThrowsError(try ctx.add("k", .int(2))) { e in
            XCTAssertEqual("\(e)", "step 'second' tried to overwrite context key 'k' (context keys are add-only)")
        }
        XCTAssertThrowsError(try ctx.add("replicate", .int(5)), "host keys are add-only for steps too")
        XCTAssertEqual(ctx.values, ["replicate": .int(0), "k": .int(1)], "a refused add changes nothing")
        XCTAssertEqual(ctx.state.writes, [], "a refused add is not recorded as a write")
    }

    func testReadsAndWritesAreKeptPerStep() throws {
        let ctx = RunContext()
        ctx.setHostKey("condition", .string("baseline"))
        ctx.beginStep("a")
        XCTAssertEqual(ctx.get("condition"), .string("baseline"))
        XCTAssertNil(ctx.get("absent"))
        try ctx.add("x", .double(1.5))
        XCTAssertEqual(ctx.reads, ["condition": .string("baseline")], "absent keys are not reads")
        XCTAssertEqual(ctx.state.writes, ["x"])
        ctx.beginStep("b")
        XCTAssertEqual(ctx.reads, [:])
        XCTAssertEqual(ctx.state.writes, [])
        XCTAssertEqual(ctx.get("x"), .double(1.5), "a later step sees an earlier step's key")
        XCTAssertEqual(ctx.currentStep, "b")
    }

    func testMetricsAreListsAndTagsAccumulateOnce() {
        let ctx = RunContext()
        ctx.recordMetric("m", .double(1))
        ctx.recordMetric("m", .int(2), tags: ["a", "b"])
        ctx.recordMetric("m", .double(3), tags: ["b", "c"])
        ctx.recordMetric("n", .bool(true))
        XCTAssertEqual(ctx.metrics, ["m": [.double(1), .int(2), .double(3)], "n": [.bool(true)]])
        XCTAssertEqual(ctx.state.metricTags, ["m": ["a", "b", "c"]])
    }

    func testParametersResolveExplicitContextDefaultThenError() throws {
        let fn = try StepFunction(library: "libm.so.6", signature: "f64 pow(f64 data, f64 exponent = 2, f64 scale)", cacheable: false, what: "test")
        let ctx = RunContext()
        func resolve(_ explicit: OrderedDictionary<String, Value>) throws -> OrderedDictionary<String, Value> {
            try ParameterResolver.resolve(step: "pow", function: fn, explicit: explicit, context: ctx)
        }
        XCTAssertThrowsError(try resolve([:])) { e in
            XCTAssertEqual("\(e)", "step 'pow' needs parameter 'scale': it is not in the step's params, not in the context, and has no default")
        }
        XCTAssertEqual(try resolve(["scale": .int(3)]), ["exponent": .int(2), "scale": .int(3)], "default, then explicit; data is not a parameter")
        ctx.setHostKey("exponent", .double(0.5))
        ctx.setHostKey("scale", .double(4))
        XCTAssertEqual(try resolve([:]), ["exponent": .double(0.5), "scale": .double(4)], "the context beats the default")
        XCTAssertEqual(try resolve(["exponent": .int(3)]), ["exponent": .int(3), "scale": .double(4)], "explicit beats the context")
        ctx.beginStep("pow")
        _ = try resolve([:])
        XCTAssertEqual(Set(ctx.reads.keys), ["exponent", "scale"], "parameters filled from the context are recorded as reads")
        let typed = RunContext()
        typed.setHostKey("scale", .string("big"))
        XCTAssertThrowsError(try ParameterResolver.resolve(step: "pow", function: fn, explicit: [:], context: typed)) { e in
            XCTAssertEqual("\(e)", "step 'pow' parameter 'scale' must be f64, got string")
        }
    }
}
