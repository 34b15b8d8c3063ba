import Foundation
import OrderedCollections

/// What a cacheable step produced, enough to replay it without running it.
public struct CachedStep {
    /// The step's output.
    public var output: Value
    /// Metrics it recorded.
    public var metrics: OrderedDictionary<String, [Value]>
    /// Context keys it added.
    public var contextWrites: OrderedDictionary<String, Value>
    /// Artifacts it wrote (name to bytes).
    public var artifacts: OrderedDictionary<String, [UInt8]>
    /// Tags of the metrics it recorded, so a cache hit reports what a real call would.
    public var metricTags: OrderedDictionary<String, [String]> = [:]
}

/// The content-addressed step cache.
///
/// An entry's key is sha256(step identity, resolved parameters, input hash), so a change of
/// plugin binary, step, parameter or input misses. Entries are written atomically (concurrent
/// writers of one key write identical bytes and the last rename wins) and carry a checksum of
/// their payload, so a truncated or corrupted entry is detected, reported, and recomputed.
public final class StepCache {
    /// The folder holding entries.
    public let directory: String
    private let warn: (String) -> Void
    private let lock = NSLock()
    private var hitCount = 0, missCount = 0

    /// A cache under `directory` (created on first write); `warn` receives corruption notices.
    public init(directory: String, warn: @escaping (String) -> Void) {
        self.directory = directory
        self.warn = warn
    }

    /// The default folder: `CRYSTALLIZE_CACHE_DIR`, else `<base>/.cache/crystallize`.
    public static func defaultDirectory(base: String) -> String {
        if let d = ProcessInfo.processInfo.environment["CRYSTALLIZE_CACHE_DIR"], !d.isEmpty { return d }
        return (base as NSString).appendingPathComponent(".cache/crystallize")
    }

    /// The key of one call.
    public static func key(stepIdentity: String, params: OrderedDictionary<String, Value>, inputHash: String) -> String {
        ValueHash.hex(.list([.string(stepIdentity), .map(params), .string(inputHash)]))
    }

    private func path(_ key: String) -> String { "\(directory)/\(key.prefix(2))/\(key).json" }

    /// Hits and misses so far.
    public var counts: (hits: Int, misses: Int) { lock.lock(); defer { lock.unlock() }; return (hitCount, missCount) }

    func count(hit: Bool) { lock.lock(); if hit { hitCount += 1 } else { missCount += 1 }; lock.unlock() }

    /// The entry for `key`, or nil (missing or corrupted; corruption is reported and the
    /// entry removed so it is recomputed).
    public func lookup(_ key: String) -> CachedStep? {
        if case .entry(let e) = read(key) { return e }
        return nil
    }

    /// What is stored at `key`: an entry, a stream-dependent marker, or nothing usable.
    func read(_ key: String) -> StoredAtKey {
        let p = path(key)
        guard let data = FileManager.default.contents(atPath: p) else { return .none }
        guard let text = String(data: data, encoding: .utf8), let nl = text.firstIndex(of: "\n") else {
            corrupted(p, "no checksum line"); return .none
        }
        let sum = String(text[..<nl]), payload = String(text[text.index(after: nl)...])
        guard sum == ValueHash.hex(bytes: Array(payload.utf8)) else { corrupted(p, "checksum mismatch (truncated or edited)"); return .none }
        guard case .map(let m)? = try? JSONText.parse(payload) else { corrupted(p, "unreadable payload"); return .none }
        if m[Self.streamMarkerKey] == .bool(true) { return .streamDependent }
        guard let out = m["output"] else { corrupted(p, "unreadable payload"); return .none }
        func map(_ k: String) -> OrderedDictionary<String, Value> { if case .map(let x)? = m[k] { return x }; return [:] }
        return .entry(CachedStep(
            output: out,
            metrics: map("metrics").compactMapValues { if case .list(let l) = $0 { return l }; return nil },
            contextWrites: map("ctx_writes"),
            artifacts: map("artifacts").compactMapValues { if case .bytes(let b) = $0 { return b }; return nil },
            metricTags: map("metric_tags").compactMapValues { if case .list(let l) = $0 { return l.compactMap { if case .string(let s) = $0 { return s }; return nil } }; return nil }))
    }

    private func corrupted(_ path: String, _ why: String) {
        warn("warning: cache entry \(path) is corrupted (\(why)); recomputing it")
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Stores an entry atomically. Failures only warn: the cache is an optimisation.
    public func store(_ key: String, _ entry: CachedStep) { write(key, entry) }

    func write(_ key: String, _ entry: CachedStep) {
        let payload = JSONText.encode(.map([
            "output": entry.output,
            "metrics": .map(entry.metrics.mapValues { .list($0) }),
            "ctx_writes": .map(entry.contextWrites),
            "artifacts": .map(entry.artifacts.mapValues { .bytes($0) }),
            "metric_tags": .map(entry.metricTags.mapValues { .list($0.map { .string($0) }) }),
        ]), tagged: true)
        writePayload(key, payload)
    }

    /// Marks `key` as the key of a step whose entries are kept per random stream.
    func writeMarker(_ key: String) { writePayload(key, JSONText.encode(.map([Self.streamMarkerKey: .bool(true)]), tagged: true)) }

    private func writePayload(_ key: String, _ payload: String) {
        let text = ValueHash.hex(bytes: Array(payload.utf8)) + "\n" + payload
        do { try AtomicFile.write(path(key), text: text, sync: false) } catch { warn("warning: cannot write cache entry: \(error)") }
    }
}
