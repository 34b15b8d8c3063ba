extension String {
    /// `body` over the string's UTF-8 bytes: native and small strings lend them in place, only
    /// a bridged string is copied first. Encoders and hashes run this on every step name.
    @inline(__always)
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let r = try utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = self
        return try copy.withUTF8(body)
    }
}
