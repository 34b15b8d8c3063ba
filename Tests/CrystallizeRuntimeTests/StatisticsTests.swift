@testable import CrystallizeRuntime
import XCTest

// Reference values come from scipy 1.17.1 / numpy. Each literal is preceded by the exact
// `python3 -c` line that printed it. Larger samples are not pasted as literals but produced by
//     g(n, m, c, M, o, s) = [((i*m + c) % M + o) / s for i in range(n)]
// which is defined identically below; integer arithmetic plus one correctly rounded addition and
// division gives bit-identical doubles in Python and Swift.
private func g(_ n: Int, _ m: Int, _ c: Int, _ modulus: Int, _ o: Double, _ s: Double) -> [Double] {
    (0..<n).map { i in (Double((i * m + c) % modulus) + o) / s }
}

/// SplitMix64 (Steele, Lea & Flood): a tiny, fully specified generator, so resampling tests are
/// reproducible without depending on the runtime's own generator.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private struct Case {
    let name: String, a: [Double], b: [Double], statistic: Double, pValue: Double, df: Double?
    init(_ name: String, _ a: [Double], _ b: [Double], statistic: Double, pValue: Double, df: Double? = nil) {
        (self.name, self.a, self.b, self.statistic, self.pValue, self.df) = (name, a, b, statistic, pValue, df)
    }
}

/// Passes when `actual` is within 1e-9 relative or 1e-12 absolute of `expected` (the absolute
/// bound covers values so close to 0 that relative error is meaningless).
private func assertClose(_ actual: Double, _ expected: Double, relative: Double = 1e-9, absolute: Double = 1e-12,
                         _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    let ok = actual == expected || abs(actual - expected) <= absolute
        || abs(actual - expected) <= relative * abs(expected)
    XCTAssertTrue(ok, "\(what): got \(actual), expected \(expected)", file: file, line: line)
}

final class StatisticsTests: XCTestCase {
    // MARK: Welch's t-test

    private static let welchCases: [Case] = [
        // python3 -c "from scipy.stats import ttest_ind as t; r=t([1.2,3.4,2.2,5.1,4.4],[6.3,7.1,5.9,8.8,6.0,7.7],equal_var=False); print(repr(float(r.statistic)),repr(float(r.pvalue)),repr(float(r.df)))"
        Case("small 5 vs 6", [1.2, 3.4, 2.2, 5.1, 4.4],
             [6.3, 7.1, 5.9, 8.8, 6.0, 7.7],
             statistic: -4.374292996317019, pValue: 0.003146756435229783, df: 7.101709411191476),
        // python3 -c "from scipy.stats import ttest_ind as t; r=t([10.1,10.3,9.9,10.0],[3.0,18.0,25.0,-4.0,11.0,30.0,2.0],equal_var=False); print(repr(float(r.statistic)),repr(float(r.pvalue)),repr(float(r.df)))"
        Case("unequal variances", [10.1, 10.3, 9.9, 10.0],
             [3.0, 18.0, 25.0, -4.0, 11.0, 30.0, 2.0],
             statistic: -0.4309186122232968, pValue: 0.6815690989348485, df: 6.003800372439216),
        // python3 -c "from scipy.stats import ttest_ind as t; r=t([0.5,1.5],[2.0,4.0],equal_var=False); print(repr(float(r.statistic)),repr(float(r.pvalue)),repr(float(r.df)))"
        Case("n = 2 each", [0.5, 1.5],
             [2.0, 4.0],
             statistic: -1.7888543819998317, pValue: 0.2585321337078272, df: 1.4705882352941178),
        // python3 -c "from scipy.stats import ttest_ind as t; r=t([2.0,4.0,6.0,8.0],[3.0,5.0,5.0,7.0],equal_var=False); print(repr(float(r.statistic)),repr(float(r.pvalue)),repr(float(r.df)))"
        Case("equal means, t = 0", [2.0, 4.0, 6.0, 8.0],
             [3.0, 5.0, 5.0, 7.0],
             statistic: 0.0, pValue: 1.0, df: 5.068965517241378),
        // python3 -c "from scipy.stats import ttest_ind as t; r=t([5.1,4.9,5.3,4.7,5.0,5.2],[5.0,5.15,4.85,5.05,4.95],equal_var=False); print(repr(float(r.statistic)),repr(float(r.pvalue)),repr(float(r.df)))"
        Case("near-equal means", [5.1, 4.9, 5.3, 4.7, 5.0, 5.2],
             [5.0, 5.15, 4.85, 5.05, 4.95],
             statistic: 0.3287979746107134, pValue: 0.7510360461781195, df: 7.732279017226782),
        // python3 -c "from scipy.stats import ttest_ind as t; r=t([1.0,1.0,1.0],[2.0,3.0,4.0],equal_var=False); print(repr(float(r.statistic)),repr(float(r.pvalue)),repr(float(r.df)))"
        Case("one group constant", [1.0, 1.0, 1.0],
             [2.0, 3.0, 4.0],
             statistic: -3.464101615137755, pValue: 0.07417990022744854, df: 2.0),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import ttest_ind as t; r=t([3.0,9.0],g(30,37,11,101,0,10),equal_var=False); print(repr(float(r.statistic)),repr(float(r.pvalue)),repr(float(r.df)))"
        Case("2 vs 30", [3.0, 9.0],
             g(30, 37, 11, 101, 0.0, 10.0),
             statistic: 0.35319057800138587, pValue: 0.7809820684602172, df: 1.0660750237903818),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import ttest_ind as t; r=t(g(200,7919,13,1009,0,100),g(150,104729,7,1013,40,100),equal_var=False); print(repr(float(r.statistic)),repr(float(r.pvalue)),repr(float(r.df)))"
        Case("200 vs 150 moderate", g(200, 7919, 13, 1009, 0.0, 100.0),
             g(150, 104729, 7, 1013, 40.0, 100.0),
             statistic: -1.1804535398822398, pValue: 0.23869406498242146, df: 320.922829301745),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import ttest_ind as t; r=t(g(40,37,11,101,0,10),g(40,53,7,101,800,10),equal_var=False); print(repr(float(r.statistic)),repr(float(r.pvalue)),repr(float(r.df)))"
        Case("far apart, tiny p", g(40, 37, 11, 101, 0.0, 10.0),
             g(40, 53, 7, 101, 800.0, 10.0),
             statistic: -121.61954227019197, pValue: 1.066883564663666e-90, df: 77.99982895438357),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import ttest_ind as t; r=t(g(5000,7919,13,1009,0,100),g(4000,104729,7,1013,5,100),equal_var=False); print(repr(float(r.statistic)),repr(float(r.pvalue)),repr(float(r.df)))"
        Case("5000 vs 4000, large df", g(5000, 7919, 13, 1009, 0.0, 100.0),
             g(4000, 104729, 7, 1013, 5.0, 100.0),
             statistic: -1.0964177475511174, pValue: 0.2729268599761149, df: 8555.81095918046),
    ]

    func testWelchMatchesScipy() {
        for c in Self.welchCases {
            let r = HypothesisTests.welchT(c.a, c.b)
            assertClose(r.statistic, c.statistic, "\(c.name) statistic")
            assertClose(r.pValue, c.pValue, "\(c.name) p")
            assertClose(r.degreesOfFreedom ?? .nan, c.df ?? .nan, "\(c.name) df")
        }
    }

    func testWelchUndefinedInputsGiveNaN() {
        // scipy: (nan, nan) for all of these.
        XCTAssertTrue(HypothesisTests.welchT([], [1, 2, 3]).pValue.isNaN)
        XCTAssertTrue(HypothesisTests.welchT([], []).pValue.isNaN)
        XCTAssertTrue(HypothesisTests.welchT([1], [1, 2, 3]).pValue.isNaN)
        XCTAssertTrue(HypothesisTests.welchT([1], [2]).pValue.isNaN)
        XCTAssertTrue(HypothesisTests.welchT([1, .nan, 3], [2, 3, 4]).pValue.isNaN)
        XCTAssertTrue(HypothesisTests.welchT([1, .infinity, 3], [2, 3, 4]).pValue.isNaN)
        // Both variances zero. scipy 1.17 gives (-inf, 0.0) for different means and (nan, nan) for
        // equal ones; by design this module answers p = NaN for both (no spread, nothing to test).
        let different = HypothesisTests.welchT([1, 1, 1], [2, 2, 2])
        XCTAssertEqual(different.statistic, -.infinity)
        XCTAssertTrue(different.pValue.isNaN)
        let same = HypothesisTests.welchT([1, 1, 1], [1, 1, 1])
        XCTAssertTrue(same.statistic.isNaN)
        XCTAssertTrue(same.pValue.isNaN)
    }

    // MARK: Mann–Whitney U

    private static let mannWhitneyCases: [Case] = [
        // python3 -c "from scipy.stats import mannwhitneyu as u; r=u([1.1,2.3,0.7,4.5,3.2],[5.5,2.9,6.1,4.8,7.0,3.9],alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("exact 5 vs 6", [1.1, 2.3, 0.7, 4.5, 3.2],
             [5.5, 2.9, 6.1, 4.8, 7.0, 3.9],
             statistic: 3.0, pValue: 0.030303030303030304),
        // python3 -c "from scipy.stats import mannwhitneyu as u; r=u([1.0,2.0,3.0,4.0],[5.0,6.0,7.0,8.0],alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("exact full separation 4 vs 4", [1.0, 2.0, 3.0, 4.0],
             [5.0, 6.0, 7.0, 8.0],
             statistic: 0.0, pValue: 0.02857142857142857),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import mannwhitneyu as u; r=u(g(8,37,11,101,0,10),g(8,53,7,101,0.5,10),alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("exact 8 vs 8", g(8, 37, 11, 101, 0.0, 10.0),
             g(8, 53, 7, 101, 0.5, 10.0),
             statistic: 38.0, pValue: 0.5737373737373737),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import mannwhitneyu as u; r=u([4.05,7.75,9.15],g(20,53,7,101,0.5,10),alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("exact 3 vs 20", [4.05, 7.75, 9.15],
             g(20, 53, 7, 101, 0.5, 10.0),
             statistic: 41.0, pValue: 0.3546019198193111),
        // python3 -c "from scipy.stats import mannwhitneyu as u; r=u([3.5],[1.0,2.0,4.0,5.0,6.0],alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("exact 1 vs 5", [3.5],
             [1.0, 2.0, 4.0, 5.0, 6.0],
             statistic: 2.0, pValue: 1.0),
        // python3 -c "from scipy.stats import mannwhitneyu as u; r=u([1.0,4.0],[2.0,3.0],alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("exact U at centre, p clipped to 1", [1.0, 4.0],
             [2.0, 3.0],
             statistic: 2.0, pValue: 1.0),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import mannwhitneyu as u; r=u(g(8,37,11,1201,200,10),g(500,53,7,1201,0.5,10),alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("exact 8 vs 500, counts beyond 2^53", g(8, 37, 11, 1201, 200.0, 10.0),
             g(500, 53, 7, 1201, 0.5, 10.0),
             statistic: 1130.0, pValue: 0.03297664195133748),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import mannwhitneyu as u; r=u(g(8,37,11,1201,100,10),g(1200,53,7,1201,0.5,10),alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("exact 8 vs 1200, counts beyond 2^64", g(8, 37, 11, 1201, 100.0, 10.0),
             g(1200, 53, 7, 1201, 0.5, 10.0),
             statistic: 1924.0, pValue: 0.0022614368672351855),
        // python3 -c "from scipy.stats import mannwhitneyu as u; r=u([1.0,2.0,2.0,3.0,5.0],[2.0,3.0,4.0,4.0,6.0,7.0],alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("ties, asymptotic 5 vs 6", [1.0, 2.0, 2.0, 3.0, 5.0],
             [2.0, 3.0, 4.0, 4.0, 6.0, 7.0],
             statistic: 6.5, pValue: 0.13862587987892763),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import mannwhitneyu as u; r=u(g(9,37,11,101,0,10),g(10,53,7,101,60.5,10),alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("no ties, asymptotic 9 vs 10", g(9, 37, 11, 101, 0.0, 10.0),
             g(10, 53, 7, 101, 60.5, 10.0),
             statistic: 10.0, pValue: 0.004848762721678938),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import mannwhitneyu as u; r=u(g(80,37,11,20,0,1),g(120,53,7,20,2,1),alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("many ties 80 vs 120", g(80, 37, 11, 20, 0.0, 1.0),
             g(120, 53, 7, 20, 2.0, 1.0),
             statistic: 3888.0, pValue: 0.022864731046218143),
        // python3 -c "from scipy.stats import mannwhitneyu as u; r=u([2.0,2.0,2.0,2.0],[2.0,2.0,2.0,2.0,2.0],alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("all values tied", [2.0, 2.0, 2.0, 2.0],
             [2.0, 2.0, 2.0, 2.0, 2.0],
             statistic: 10.0, pValue: 1.0),
        // python3 -c "g=lambda n,m,c,M,o,s:[((i*m+c)%M+o)/s for i in range(n)]; from scipy.stats import mannwhitneyu as u; r=u(g(60,37,11,101,0,10),g(60,53,7,101,200.5,10),alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        Case("asymptotic far apart, tiny p", g(60, 37, 11, 101, 0.0, 10.0),
             g(60, 53, 7, 101, 200.5, 10.0),
             statistic: 0.0, pValue: 3.5565709749847226e-21),
    ]

    func testMannWhitneyMatchesScipy() {
        for c in Self.mannWhitneyCases {
            let r = HypothesisTests.mannWhitneyU(c.a, c.b)
            assertClose(r.statistic, c.statistic, "\(c.name) U")
            assertClose(r.pValue, c.pValue, "\(c.name) p")
            // Swapping the samples gives the other sample's U and the same two-sided p.
            let swapped = HypothesisTests.mannWhitneyU(c.b, c.a)
            assertClose(swapped.statistic, Double(c.a.count * c.b.count) - c.statistic, "\(c.name) swapped U")
            assertClose(swapped.pValue, c.pValue, "\(c.name) swapped p")
        }
    }

    func testMannWhitneyEdgeCases() {
        XCTAssertTrue(HypothesisTests.mannWhitneyU([], [1, 2]).pValue.isNaN)
        XCTAssertTrue(HypothesisTests.mannWhitneyU([], []).statistic.isNaN)
        XCTAssertTrue(HypothesisTests.mannWhitneyU([1, .nan, 3], [2, 3, 4]).pValue.isNaN)
        // python3 -c "from scipy.stats import mannwhitneyu as u; print(*[(float(r.statistic), repr(float(r.pvalue))) for r in [u(a, b, alternative='two-sided') for a, b in [([1.], [1., 2, 3]), ([1.], [2.]), ([1., float('inf'), 3], [2., 3, 4])]]])"
        let tiedSingle = HypothesisTests.mannWhitneyU([1], [1, 2, 3])
        assertClose(tiedSingle.statistic, 0.5, "n = 1 with a tie U")
        assertClose(tiedSingle.pValue, 0.6373518882339371, "n = 1 with a tie p")
        XCTAssertEqual(HypothesisTests.mannWhitneyU([1], [2]), TestOutcome(statistic: 0, pValue: 1))
        XCTAssertEqual(HypothesisTests.mannWhitneyU([1, .infinity, 3], [2, 3, 4]), TestOutcome(statistic: 4.5, pValue: 1))
    }

    // MARK: Special functions behind the p-values

    func testIncompleteBetaMatchesScipy() {
        // python3 -c "from scipy.special import betainc as I; print(*[repr(float(I(a,b,x))) for a,b,x in [(2.5,0.5,0.3),(0.5,3.0,0.9),(10.0,20.0,0.35),(400.0,0.5,0.99),(5e5,0.5,0.9999),(1.0,1.0,0.25),(50.0,60.0,0.2)]])"
        let cases: [(Double, Double, Double, Double)] = [
            (2.5, 0.5, 0.3, 0.018927124071945658), (0.5, 3.0, 0.9, 0.9996750253207289),
            (10, 20, 0.35, 0.5923866636639051), (400, 0.5, 0.99, 0.004587569593366472),
            (5e5, 0.5, 0.9999, 1.5201662808362044e-23), (1, 1, 0.25, 0.25),
            (50, 60, 0.2, 1.0328973362230352e-09),
        ]
        for (a, b, x, expected) in cases {
            assertClose(IncompleteBeta.regularized(a, b, x: x), expected, "I_\(x)(\(a), \(b))")
        }
        XCTAssertEqual(IncompleteBeta.regularized(2, 3, x: 0), 0)
        XCTAssertEqual(IncompleteBeta.regularized(2, 3, x: 1), 1)
        XCTAssertTrue(IncompleteBeta.regularized(-1, 3, x: 0.5).isNaN)
        XCTAssertTrue(IncompleteBeta.regularized(2, 3, x: .nan).isNaN)
    }

    func testStudentTAndNormalTailsMatchScipy() {
        // python3 -c "from scipy.stats import t; print(*[repr(float(2*t.sf(x,d))) for x,d in [(2.0,3.0),(0.1,1.0),(5.0,1e6),(40.0,10.0),(1.5,2.5e6)]])"
        let tCases: [(Double, Double, Double)] = [
            (2, 3, 0.13932596855884305), (0.1, 1, 0.936548965138893), (5, 1e6, 5.733997870890745e-07),
            (40, 10, 2.2808577430857535e-12), (1.5, 2.5e6, 0.13361452881736183),
        ]
        for (t, df, expected) in tCases {
            assertClose(StudentT.twoSidedPValue(t, degreesOfFreedom: df), expected, "t = \(t), df = \(df)")
            assertClose(StudentT.twoSidedPValue(-t, degreesOfFreedom: df), expected, "t = -\(t), df = \(df)")
        }
        XCTAssertEqual(StudentT.twoSidedPValue(0, degreesOfFreedom: 4), 1)
        XCTAssertEqual(StudentT.twoSidedPValue(.infinity, degreesOfFreedom: 4), 0)
        XCTAssertEqual(StudentT.twoSidedPValue(1e200, degreesOfFreedom: 4), 0)
        XCTAssertTrue(StudentT.twoSidedPValue(1, degreesOfFreedom: 0).isNaN)
        // python3 -c "from scipy.stats import norm; print(*[repr(float(2*norm.sf(z))) for z in [0.0,1.959963984540054,5.0,12.0]])"
        let zCases: [(Double, Double)] = [(0, 1), (1.959963984540054, 0.05), (5, 5.733031437583866e-07),
                                          (12, 3.552964224155306e-33)]
        for (z, expected) in zCases { assertClose(StandardNormal.twoSidedPValue(z), expected, "z = \(z)") }
    }

    // MARK: Permutation test

    func testPermutationIsDeterministicForASeed() {
        let a = g(12, 37, 11, 101, 0, 10), b = g(15, 53, 7, 101, 20, 10)
        var first = SplitMix64(seed: 42), second = SplitMix64(seed: 42)
        let r1 = HypothesisTests.permutation(a, b, resamples: 2_000, using: &first)
        let r2 = HypothesisTests.permutation(a, b, resamples: 2_000, using: &second)
        XCTAssertEqual(r1, r2)
        XCTAssertEqual(first.state, second.state)
        assertClose(r1.statistic, a.reduce(0, +) / 12 - b.reduce(0, +) / 15, "mean(a) - mean(b)")
    }

    func testPermutationSanity() {
        var rng = SplitMix64(seed: 7)
        let low = (1...8).map(Double.init), high = (101...108).map(Double.init)
        let separated = HypothesisTests.permutation(low, high, resamples: 4_000, using: &rng)
        XCTAssertLessThan(separated.pValue, 0.005)
        XCTAssertGreaterThanOrEqual(separated.pValue, 1.0 / 4_001, "p is never below 1/(B+1)")
        let same = g(20, 37, 11, 101, 0, 10)
        XCTAssertEqual(HypothesisTests.permutation(same, same, resamples: 1_000, using: &rng).pValue, 1)
        let overlapping = HypothesisTests.permutation(g(20, 37, 11, 101, 0, 10), g(25, 53, 7, 101, 0.5, 10),
                                                      resamples: 2_000, using: &rng)
        XCTAssertGreaterThan(overlapping.pValue, 0.2)
        // Against scipy's exhaustive enumeration (462 relabelings):
        // python3 -c "import numpy as np; from scipy.stats import permutation_test as pt; r=pt(([1.1,2.3,0.7,4.5,3.2],[5.5,2.9,6.1,4.8,7.0,3.9]),lambda x,y:np.mean(x)-np.mean(y),permutation_type='independent',n_resamples=np.inf,alternative='two-sided'); print(repr(float(r.statistic)),repr(float(r.pvalue)))"
        let r = HypothesisTests.permutation([1.1, 2.3, 0.7, 4.5, 3.2], [5.5, 2.9, 6.1, 4.8, 7.0, 3.9],
                                            resamples: 20_000, using: &rng)
        assertClose(r.statistic, -2.673333333333333, "observed difference")
        XCTAssertEqual(r.pValue, 0.030303030303030304, accuracy: 0.006, "Monte Carlo p near the exact one")
    }

    func testPermutationEdgeCases() {
        var rng = SplitMix64(seed: 1)
        XCTAssertTrue(HypothesisTests.permutation([], [1, 2], resamples: 100, using: &rng).pValue.isNaN)
        XCTAssertTrue(HypothesisTests.permutation([1, .nan], [1, 2], resamples: 100, using: &rng).pValue.isNaN)
        XCTAssertEqual(rng.state, SplitMix64(seed: 1).state, "undefined input consumes no randomness")
        XCTAssertEqual(HypothesisTests.permutation([1, 2], [3, 4], resamples: 0, using: &rng).pValue, 1)
        XCTAssertEqual(HypothesisTests.permutation([5, 5, 5], [5, 5], resamples: 50, using: &rng).pValue, 1)
        let singles = HypothesisTests.permutation([1], [2], resamples: 99, using: &rng)
        XCTAssertEqual(singles.pValue, 1, "with one value each every relabeling is as extreme")
    }

    // MARK: Bootstrap

    func testBootstrapIsDeterministicAndContainsTheTrueDifference() {
        // a is drawn from the uniform grid 0.0 ... 10.0, b from the same grid shifted by +3.
        let a = g(40, 37, 11, 101, 0, 10), b = g(50, 53, 7, 101, 30, 10)
        var s1 = SplitMix64(seed: 2024), s2 = SplitMix64(seed: 2024)
        let r1 = HypothesisTests.bootstrapMeanDifference(a, b, resamples: 5_000, confidence: 0.95, using: &s1)
        let r2 = HypothesisTests.bootstrapMeanDifference(a, b, resamples: 5_000, confidence: 0.95, using: &s2)
        XCTAssertEqual(r1, r2)
        XCTAssertLessThan(r1.low, 3)
        XCTAssertGreaterThan(r1.high, 3)
        let observed = b.reduce(0, +) / 50 - a.reduce(0, +) / 40
        XCTAssertTrue(r1.low < observed && observed < r1.high)
        XCTAssertLessThan(r1.pValue, 0.001)
        XCTAssertGreaterThan(r1.pValue, 0, "p is never exactly 0")
        var s3 = SplitMix64(seed: 2024)
        let wide = HypothesisTests.bootstrapMeanDifference(a, b, resamples: 5_000, confidence: 0.99, using: &s3)
        XCTAssertLessThan(wide.low, r1.low)
        XCTAssertGreaterThan(wide.high, r1.high)
    }

    func testBootstrapIdenticalSamplesGiveLargeP() {
        var rng = SplitMix64(seed: 99)
        let x = g(30, 37, 11, 101, 0, 10)
        let r = HypothesisTests.bootstrapMeanDifference(x, x, resamples: 4_000, confidence: 0.95, using: &rng)
        XCTAssertGreaterThan(r.pValue, 0.5)
        XCTAssertTrue(r.low < 0 && 0 < r.high)
    }

    func testBootstrapEdgeCases() {
        var rng = SplitMix64(seed: 3)
        let empty = HypothesisTests.bootstrapMeanDifference([], [1], resamples: 10, confidence: 0.95, using: &rng)
        XCTAssertTrue(empty.low.isNaN && empty.high.isNaN && empty.pValue.isNaN)
        let withNaN = HypothesisTests.bootstrapMeanDifference([1, .nan], [1], resamples: 10, confidence: 0.95, using: &rng)
        XCTAssertTrue(withNaN.pValue.isNaN)
        let none = HypothesisTests.bootstrapMeanDifference([1, 2], [3, 4], resamples: 0, confidence: 0.95, using: &rng)
        XCTAssertTrue(none.low.isNaN && none.high.isNaN)
        XCTAssertEqual(none.pValue, 1)
        let badConfidence = HypothesisTests.bootstrapMeanDifference([1, 2], [3, 4], resamples: 10, confidence: 1.5, using: &rng)
        XCTAssertTrue(badConfidence.low.isNaN && badConfidence.high.isNaN)
        let constant = HypothesisTests.bootstrapMeanDifference([2, 2], [2, 2, 2], resamples: 100, confidence: 0.9, using: &rng)
        XCTAssertEqual(constant, BootstrapInterval(low: 0, high: 0, pValue: 1))
        let singles = HypothesisTests.bootstrapMeanDifference([1], [4], resamples: 9, confidence: 0.9, using: &rng)
        XCTAssertEqual(singles, BootstrapInterval(low: 3, high: 3, pValue: 0.2))
    }

    // MARK: RunningSummary

    func testRunningSummaryMatchesNumpy() {
        // python3 -c "import numpy as np; x=np.array([2.5,-1.0,7.25,3.0,0.5,4.0]); print(repr(x.mean()),repr(x.std(ddof=1)),x.min(),x.max())"
        var s = RunningSummary()
        s.add(contentsOf: [2.5, -1.0, 7.25, 3.0, 0.5, 4.0])
        XCTAssertEqual(s.n, 6)
        assertClose(s.mean, 2.7083333333333335, "mean")
        assertClose(s.standardDeviation, 2.865382464291053, "sd")
        XCTAssertEqual(s.min, -1)
        XCTAssertEqual(s.max, 7.25)
        // Large offset, small spread: the naive sum of squares would lose the variance entirely.
        // python3 -c "import numpy as np; x=np.array([1e9+4,1e9+7,1e9+13,1e9+16]); print(repr(x.mean()),repr(x.std(ddof=1)))"
        var big = RunningSummary()
        for v in [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16] { big.add(v) }
        assertClose(big.mean, 1000000010.0, "offset mean")
        assertClose(big.standardDeviation, 5.477225575051661, "offset sd")
    }

    func testRunningSummaryEdgeCases() {
        let empty = RunningSummary()
        XCTAssertEqual(empty.n, 0)
        XCTAssertTrue(empty.mean.isNaN && empty.standardDeviation.isNaN && empty.min.isNaN && empty.max.isNaN)
        var one = RunningSummary()
        one.add(3.5)
        XCTAssertEqual(one.mean, 3.5)
        XCTAssertTrue(one.standardDeviation.isNaN, "ddof = 1 needs two values")
        XCTAssertEqual(one.min, 3.5)
        XCTAssertEqual(one.max, 3.5)
        var flat = RunningSummary()
        flat.add(contentsOf: [0.1, 0.1, 0.1])
        XCTAssertEqual(flat.standardDeviation, 0)
        var poisoned = RunningSummary()
        poisoned.add(contentsOf: [1, .nan, 3])
        XCTAssertEqual(poisoned.n, 3)
        XCTAssertTrue(poisoned.mean.isNaN && poisoned.standardDeviation.isNaN && poisoned.min.isNaN && poisoned.max.isNaN)
    }
}
