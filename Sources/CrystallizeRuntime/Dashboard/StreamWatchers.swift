import Foundation

/// How many pages follow each run's progress stream right now: the dashboard counts them so a
/// page (and a test) can tell that a browser is watching.
public final class StreamWatchers: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    /// No watchers.
    public init() {}

    /// How many streams of the run in `versionDirectory` are open.
    public func count(_ versionDirectory: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        return counts[versionDirectory] ?? 0
    }

    /// A watcher for as long as the returned token lives.
    public func watch(_ versionDirectory: String) -> Token {
        lock.lock(); counts[versionDirectory, default: 0] += 1; lock.unlock()
        return Token(watchers: self, key: versionDirectory)
    }

    fileprivate func leave(_ key: String) {
        lock.lock(); defer { lock.unlock() }
        counts[key, default: 1] -= 1
        if counts[key] == 0 { counts[key] = nil }
    }

    /// One open stream; it stops counting when released (the connection closed).
    public final class Token: @unchecked Sendable {
        private let watchers: StreamWatchers
        private let key: String
        fileprivate init(watchers: StreamWatchers, key: String) { self.watchers = watchers; self.key = key }
        deinit { watchers.leave(key) }
    }
}
