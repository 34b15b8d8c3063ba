/// Average ("midrank") ranking with tie bookkeeping, as rank-based tests need it.
enum Ranking {
    /// 1-based ranks of `values`, tied values all getting the mean of the ranks they span, plus
    /// the size of every group of equal values (singletons included).
    ///
    /// Midranks keep the rank sum independent of how ties happen to be ordered, and the tie sizes
    /// are what the normal approximation's variance correction needs. Values must not be NaN:
    /// NaN has no place in an ordering, so callers reject it first.
    static func averageRanks(_ values: [Double]) -> (ranks: [Double], tieSizes: [Int]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieSizes: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            // Positions start..<end (0-based) hold ranks start+1 ... end; their mean is below.
            let midrank = Double(start + 1 + end) / 2
            for k in start..<end { ranks[order[k]] = midrank }
            tieSizes.append(end - start)
            start = end
        }
        return (ranks, tieSizes)
    }
}
