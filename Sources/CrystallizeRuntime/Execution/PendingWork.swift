/// The work of a run still to do: each replicate with the conditions it has yet to run, in
/// replicate order.
///
/// A fresh run's work — every replicate, every condition — is described rather than listed,
/// so a run of a million replicates neither builds nor frees a million entries.
public struct PendingWork: RandomAccessCollection {
    /// One replicate and the conditions it has yet to run.
    public typealias Element = (replicate: Int, conditions: [Condition])

    private enum Storage {
        case every(replicates: Int, conditions: [Condition])
        case listed([Element])
    }
    private let storage: Storage

    /// Every one of `replicates` replicates, each with all of `conditions`.
    public init(every replicates: Int, conditions: [Condition]) {
        storage = conditions.isEmpty ? .listed([]) : .every(replicates: Swift.max(replicates, 0), conditions: conditions)
    }

    /// The listed items (a resumed run's leftovers).
    public init(_ items: [Element]) { storage = .listed(items) }

    /// The first position: 0.
    public var startIndex: Int { 0 }
    /// One past the last position: how many replicates have work left.
    public var endIndex: Int {
        switch storage {
        case .every(let n, _): return n
        case .listed(let items): return items.count
        }
    }
    /// The replicate at position `i` with the conditions it has yet to run.
    public subscript(i: Int) -> Element {
        switch storage {
        case .every(let n, let conditions):
            precondition(i >= 0 && i < n, "pending work index \(i) out of range")
            return (i, conditions)
        case .listed(let items): return items[i]
        }
    }

    /// How many (replicate, condition) runs the work holds.
    public var conditionRuns: Int {
        switch storage {
        case .every(let n, let conditions): return n * conditions.count
        case .listed(let items): return items.reduce(0) { $0 + $1.conditions.count }
        }
    }
}
