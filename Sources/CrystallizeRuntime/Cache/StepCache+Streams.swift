import OrderedCollections

/// What a cache key holds.
enum StoredAtKey {
    /// Nothing (or a damaged entry, which was reported and removed).
    case none
    /// The step's entry.
    case entry(CachedStep)
    /// A marker: the step drew random numbers, so its entries are kept per random stream.
    case streamDependent
}

/// Entries of steps that draw from the host's random stream.
///
/// Such a step's output depends on its stream as well as on its parameters and input: the
/// entry for one replicate must never answer for another (its numbers would be reused), while
/// under common random numbers the conditions of a replicate, which share the stream, should
/// hit. So the first time a step draws, the key gets a marker, and entries live under the key
/// joined with the stream's identity. Steps that never draw keep one entry for every stream.
extension StepCache {
    /// The payload key of a stream-dependent marker.
    static let streamMarkerKey = "stream_dependent"

    /// The key of `key`'s entry for the random stream `stream`.
    static func key(_ key: String, stream: String) -> String {
        ValueHash.hex(.list([.string(key), .string("stream"), .string(stream)]))
    }

    /// The entry for `key`, following a marker to the entry of the stream `stream()` names.
    func lookup(_ key: String, stream: () -> String) -> CachedStep? {
        switch read(key) {
        case .entry(let e): return e
        case .none: return nil
        case .streamDependent:
            if case .entry(let e) = read(Self.key(key, stream: stream())) { return e }
            return nil
        }
    }

    /// Stores `entry` for `key`; when the step drew from its random stream (`stream` non-nil),
    /// under that stream's key, with a marker at `key`.
    func store(_ key: String, _ entry: CachedStep, stream: String?) {
        guard let stream else { write(key, entry); return }
        writeMarker(key)
        write(Self.key(key, stream: stream), entry)
    }
}
