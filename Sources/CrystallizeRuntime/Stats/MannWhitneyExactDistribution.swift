/// Exact null distribution of the Mann–Whitney U statistic for samples of sizes m and n without
/// ties.
///
/// Under the null every one of the C(m+n, m) interleavings of the two samples is equally likely,
/// so P(U = u) is the number of interleavings with exactly u (x > y) pairs, divided by C(m+n, m).
/// Those counts are the coefficients of the Gaussian binomial
///     [m+n choose m]_q = ∏_{i=1}^{m} (1 - q^(n+i)) / (1 - q^i),
/// and they are built by dynamic programming one factor at a time: after step i the table holds
/// the exact counts for a first sample of size i. Each step costs O(table size), so even a
/// 5-vs-5000 comparison is cheap, unlike the O(m·n·u) pairwise recurrence.
struct MannWhitneyExactDistribution {
    let m: Int
    let n: Int

    /// Sizes in either order: the distribution of U for (m, n) equals that for (n, m), and the
    /// table is smallest when built over the smaller sample.
    init(_ sizeA: Int, _ sizeB: Int) {
        m = Swift.min(sizeA, sizeB)
        n = Swift.max(sizeA, sizeB)
    }

    /// P(U <= k). Counting is done in wrapping UInt64 arithmetic first: the recurrence only adds
    /// and subtracts, so results are exact modulo 2^64 and therefore exact whenever C(m+n, m) fits,
    /// even though intermediate values may wrap. Beyond that, doubles take over, which is still
    /// accurate to about 1e-15 relative.
    func cdf(_ k: Int) -> Double {
        guard m >= 0, k >= 0 else { return 0 }
        if k >= m * n { return 1 }
        if let total = exactTotal() {
            let counts = countTable(upTo: k, zero: UInt64(0), one: 1, add: { $0 &+ $1 }, subtract: { $0 &- $1 })
            let below = counts.reduce(UInt64(0)) { $0 &+ $1 }
            return Double(below) / Double(total)
        }
        let counts = countTable(upTo: k, zero: 0.0, one: 1, add: +, subtract: -)
        return counts.reduce(0, +) / approximateTotal()
    }

    /// Number of interleavings with U = 0 ... maxU. Dividing by (1 - q^i) is the running sum
    /// c[u] += c[u - i] (ascending, so each entry already includes earlier contributions);
    /// multiplying by (1 - q^(n+i)) is c[u] -= c[u - n - i] (descending, so it uses the old values).
    private func countTable<T>(upTo maxU: Int, zero: T, one: T,
                               add: (T, T) -> T, subtract: (T, T) -> T) -> [T] {
        var c = [T](repeating: zero, count: maxU + 1)
        c[0] = one
        guard m > 0 else { return c }
        for i in 1...m {
            if i <= maxU { for u in i...maxU { c[u] = add(c[u], c[u - i]) } }
            let shift = n + i
            if shift <= maxU { for u in stride(from: maxU, through: shift, by: -1) { c[u] = subtract(c[u], c[u - shift]) } }
        }
        return c
    }

    /// C(m+n, m) if it fits in UInt64. Built as C(n+i, i) = C(n+i-1, i-1)·(n+i)/i, which is always
    /// an exact division; the full-width product keeps the intermediate from overflowing early.
    private func exactTotal() -> UInt64? {
        var total: UInt64 = 1
        guard m > 0 else { return total }
        for i in 1...m {
            let product = total.multipliedFullWidth(by: UInt64(n + i))
            let divisor = UInt64(i)
            guard product.high < divisor else { return nil }
            total = divisor.dividingFullWidth(product).quotient
        }
        return total
    }

    /// C(m+n, m) in floating point for sizes whose count exceeds UInt64.
    private func approximateTotal() -> Double {
        var total = 1.0
        for i in stride(from: 1, through: m, by: 1) { total = total * Double(n + i) / Double(i) }
        return total
    }
}
