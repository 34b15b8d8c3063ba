@testable import CrystallizeRuntime
import XCTest

final class ValueJSONTests: XCTestCase {
    func testRoundTripKeepsTypesAndOrder() throws {
        let v: Value = .map(["b": .int(1), "a": .double(1.0), "s": .string("x\"y\n"), "l": .list([.null, .bool(true)]),
                             "d": .doubles(DoubleArray.copy(of: [0.1, 2]))])
        let text = JSONText.encode(v, tagged: true)
        XCTAssertEqual(try JSONText.parse(text), v)
        XCTAssertTrue(text.hasPrefix("{\"b\": 1, \"a\": 1.0"))
    }

    func testBadJSONNamesThePosition() {
        XCTAssertThrowsError(try JSONText.parse("{\"a\": [1, 2,}")) { e in
            XCTAssertTrue("\(e)".contains("line 1"), "\(e)")
        }
    }

    func testHashDistinguishesIntFromDouble() {
        XCTAssertNotEqual(ValueHash.hex(.int(1)), ValueHash.hex(.double(1)))
        XCTAssertEqual(ValueHash.hex(.list([.string("a")])), ValueHash.hex(.list([.string("a")])))
    }
}
