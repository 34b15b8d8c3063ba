import Foundation
import XCTest
@testable import CrystallizeRuntime

/// Paired t, Wilcoxon signed-rank and the mean-difference intervals, each checked against
/// scipy 1.17.1 (the call that gave each expected value is quoted next to it).
final class PairedStatisticsTests: XCTestCase {
    let b = [12.1, 9.8, 11.4, 10.2, 13.0, 8.7, 10.9, 12.5]
    let t = [13.0, 10.1, 12.9, 10.0, 14.6, 9.9, 11.6, 13.8]
    /// 60 pairs without ties, built the same way in the Python that gave the references:
    /// b = [10 + 3*math.sin(i) for i in range(60)]; t = [b[i] + 0.3 + math.cos(1.7*i) for i in range(60)]
    var b60: [Double] { (0..<60).map { 10 + 3 * sin(Double($0)) } }
    var t60: [Double] { (0..<60).map { 10 + 3 * sin(Double($0)) + 0.3 + cos(1.7 * Double($0)) } }

    func testPairedTMatchesScipy() {
        // scipy.stats.ttest_rel(b, t) -> statistic -4.148990347599791, pvalue 0.004300520728135475, df 7
        let r = HypothesisTests.pairedT(b, t)
        XCTAssertEqual(r.statistic, -4.148990347599791, accuracy: 1e-12)
        XCTAssertEqual(r.pValue, 0.004300520728135475, accuracy: 1e-14)
        XCTAssertEqual(r.degreesOfFreedom, 7)
        // scipy.stats.ttest_rel(b60, t60) -> statistic -3.3925103053994854, pvalue 0.001242079201252241
        let r60 = HypothesisTests.pairedT(b60, t60)
        XCTAssertEqual(r60.statistic, -3.3925103053994854, accuracy: 1e-9)
        XCTAssertEqual(r60.pValue, 0.001242079201252241, accuracy: 1e-12)
    }

    func testPairedTEdgeCases() {
        XCTAssertTrue(HypothesisTests.pairedT([1], [2]).pValue.isNaN, "one pair")
        XCTAssertTrue(HypothesisTests.pairedT([1, 2], [1]).pValue.isNaN, "unequal lengths")
        XCTAssertTrue(HypothesisTests.pairedT([1, .nan], [2, 3]).pValue.isNaN, "NaN")
        // Every difference the same (common random numbers, deterministic effect): scipy gives
        // t = -inf, p = 0 for ttest_rel([1, 2, 3], [2, 3, 4]).
        let same = HypothesisTests.pairedT([1, 2, 3], [2, 3, 4])
        XCTAssertEqual(same.statistic, -.infinity)
        XCTAssertEqual(same.pValue, 0)
        XCTAssertTrue(HypothesisTests.pairedT([1, 2, 3], [1, 2, 3]).pValue.isNaN, "no difference at all")
    }

    func testWilcoxonExactMatchesScipy() {
        // scipy.stats.wilcoxon(b, t) -> statistic 1.0, pvalue 0.015625 (exact: 8 pairs, no ties, no zeros)
        let r = HypothesisTests.wilcoxonSignedRank(b, t)
        XCTAssertEqual(r.method, "exact")
        XCTAssertEqual(r.outcome.statistic, 1)
        XCTAssertEqual(r.outcome.pValue, 0.015625, accuracy: 1e-15)
        // scipy.stats.wilcoxon([1.0, 2.0, 3.0, 4.0, 5.0], [1.5, 2.7, 2.1, 5.9, 7.5]) -> statistic 3.0, pvalue 0.3125
        let five = HypothesisTests.wilcoxonSignedRank([1, 2, 3, 4, 5], [1.5, 2.7, 2.1, 5.9, 7.5])
        XCTAssertEqual(five.outcome.statistic, 3)
        XCTAssertEqual(five.outcome.pValue, 0.3125, accuracy: 1e-15)
        // scipy.stats.wilcoxon(b60[:20], t60[:20]) -> statistic 51.0, pvalue 0.04405403137207031
        let twenty = HypothesisTests.wilcoxonSignedRank(Array(b60.prefix(20)), Array(t60.prefix(20)))
        XCTAssertEqual(twenty.method, "exact")
        XCTAssertEqual(twenty.outcome.statistic, 51)
        XCTAssertEqual(twenty.outcome.pValue, 0.04405403137207031, accuracy: 1e-14)
    }

    func testWilcoxonNormalApproximationMatchesScipy() {
        // Ties and a zero difference: scipy's tie correction, zeros dropped (zero_method="wilcox").
        // scipy.stats.wilcoxon(b2, t2, method="asymptotic") -> statistic 6.0, pvalue 0.014912049655215934
        let b2: [Double] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
        let t2: [Double] = [6, 6, 8, 7, 11, 12, 10, 14, 16, 15, 18, 19]
        let r = HypothesisTests.wilcoxonSignedRank(b2, t2)
        XCTAssertEqual(r.method, "normal")
        XCTAssertEqual(r.nonZeroPairs, 11)
        XCTAssertEqual(r.outcome.statistic, 6)
        XCTAssertEqual(r.outcome.pValue, 0.014912049655215934, accuracy: 1e-14)
        // More than 50 pairs: scipy's default switches to the normal approximation too.
        // scipy.stats.wilcoxon(b60, t60) -> statistic 501.0, pvalue 0.0023059722141599175
        let r60 = HypothesisTests.wilcoxonSignedRank(b60, t60)
        XCTAssertEqual(r60.method, "normal")
        XCTAssertEqual(r60.outcome.statistic, 501)
        XCTAssertEqual(r60.outcome.pValue, 0.0023059722141599175, accuracy: 1e-14)
    }

    func testWilcoxonEdgeCases() {
        XCTAssertTrue(HypothesisTests.wilcoxonSignedRank([1, 2], [1, 2]).outcome.pValue.isNaN, "every difference zero")
        XCTAssertTrue(HypothesisTests.wilcoxonSignedRank([], []).outcome.pValue.isNaN)
        XCTAssertTrue(HypothesisTests.wilcoxonSignedRank([1, 2], [1]).outcome.pValue.isNaN)
    }

    func testMeanDifferenceIntervalsMatchScipy() {
        // scipy.stats.ttest_rel(b, t).confidence_interval(0.95) -> (-1.4325589658702547, -0.3924410341297455)
        // for mean(b - t); the host reports treatment - baseline, so the signs flip.
        let p = MeanDifferenceInterval.paired(b, t)
        XCTAssertEqual(p.difference, 0.9125, accuracy: 1e-12)
        XCTAssertEqual(p.low, 0.3924410341297455, accuracy: 1e-9)
        XCTAssertEqual(p.high, 1.4325589658702547, accuracy: 1e-9)
        XCTAssertEqual(p.kind, "paired")
        // scipy.stats.ttest_ind(t, b, equal_var=False).confidence_interval(0.95) -> (-0.8851539712365513, 2.7101539712365543)
        let w = MeanDifferenceInterval.welch(b, t)
        XCTAssertEqual(w.low, -0.8851539712365513, accuracy: 1e-9)
        XCTAssertEqual(w.high, 2.7101539712365543, accuracy: 1e-9)
        XCTAssertEqual(w.kind, "welch")
        // The pairing is what narrows the interval on the same data.
        XCTAssertLessThan(p.high - p.low, w.high - w.low)
    }

    func testPairingLeavesOutReplicatesFailedInEitherCondition() throws {
        // Replicate 1 failed in the baseline, replicate 3 in the treatment.
        let base = ConditionMetrics(replicates: [["m": [1]], nil, ["m": [3]], ["m": [4]], ["m": [5]]])
        let treat = ConditionMetrics(replicates: [["m": [2]], ["m": [9]], ["m": [5]], nil, ["m": [8]]])
        let pairs = try PairedValues(["m"], baseline: base, treatment: treat)
        XCTAssertEqual(pairs.baseline, [1, 3, 5])
        XCTAssertEqual(pairs.treatment, [2, 5, 8])
        XCTAssertEqual(pairs.replicatesUsed, 3)
        XCTAssertEqual(pairs.replicatesLeftOut, 2)
        let uneven = ConditionMetrics(replicates: [["m": [1, 2]]])
        XCTAssertThrowsError(try PairedValues(["m"], baseline: uneven, treatment: ConditionMetrics(replicates: [["m": [1]]])))
    }
}
