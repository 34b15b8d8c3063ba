import CCrystallize

extension DescriptorReader {
    /// An OPTIMIZER export's callback table: size-prefixed like every struct (a larger one is
    /// accepted when the bytes this host does not know are zero), with create, ask and tell.
    /// Returns what is missing, or nil.
    static func checkOptimizer(_ e: crys_export, name: String, path: String) throws -> String? {
        guard let table = e.optimizer else { return "optimizer (callback table)" }
        let raw = UnsafeRawPointer(table)
        let size = Int(raw.load(as: UInt32.self))
        let known = MemoryLayout<crys_optimizer>.size
        guard size >= 8 else { throw PluginError(path, "optimizer '\(name)' declares a callback table of \(size) bytes; at least 8") }
        if size > known, let at = firstNonZeroByte(raw, from: known, to: size) {
            throw PluginError(path, "optimizer '\(name)' (callback table size \(size)) sets byte \(at), beyond the \(known) bytes of crys_optimizer this host (ABI \(CRYS_ABI_MAJOR).\(CRYS_ABI_MINOR)) knows")
        }
        let t: crys_optimizer = copyPrefix(raw, size: size)
        let absent = [t.create == nil ? "create" : nil, t.ask == nil ? "ask" : nil, t.tell == nil ? "tell" : nil].compactMap { $0 }
        return absent.isEmpty ? nil : absent.joined(separator: ", ")
    }
}
