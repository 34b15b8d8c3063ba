import Foundation

/// The results this process already handed to the host, by submission folder. A later call of
/// the strategy in the same run — the host retrying the replicates that failed (`retries:`) —
/// then submits those replicates afresh instead of handing the failed attempt's result over
/// again. A new host process (`--strategy resume`, `attach`) starts empty and picks up every
/// result its submissions left.
enum HandedOver {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var byFolder: [String: Set<Int>] = [:]

    /// Whether replicate `r`'s result in `folder` was handed over by this process.
    static func contains(_ folder: String, _ r: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return byFolder[folder]?.contains(r) ?? false
    }

    /// Notes that replicate `r`'s result in `folder` was handed over.
    static func insert(_ folder: String, _ r: Int) {
        lock.lock(); defer { lock.unlock() }
        byFolder[folder, default: []].insert(r)
    }
}
