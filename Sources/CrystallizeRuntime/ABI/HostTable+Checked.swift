import CCrystallize

extension HostTable {
    /// The functions appended in ABI 1.1: declining to load, and getters that tell a value of
    /// the wrong type apart from a real 0, false or NaN.
    static func installChecked(_ t: inout crys_host) {
        t.decline = { reason in EntryCall.decline(hostString(reason) ?? "no reason given") }
        t.read_bool = { v, out in
            guard let out else { return CRYS_INVALID }
            return ValueBox.peek(v, CRYS_INVALID) { b in
                guard case .bool(let x) = b.value else { return CRYS_TYPE_ERROR }
                out.pointee = x ? 1 : 0
                return CRYS_OK
            }
        }
        t.read_i64 = { v, out in
            guard let out else { return CRYS_INVALID }
            return ValueBox.peek(v, CRYS_INVALID) { b in
                switch b.value {
                case .int(let i): out.pointee = i
                // Only an exact integer in range: truncating 2.5 is what get_i64 does, silently.
                case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: out.pointee = Int64(d)
                default: return CRYS_TYPE_ERROR
                }
                return CRYS_OK
            }
        }
        t.read_f64 = { v, out in
            guard let out else { return CRYS_INVALID }
            return ValueBox.peek(v, CRYS_INVALID) { b in
                switch b.value {
                case .double(let d): out.pointee = d
                case .int(let i): out.pointee = Double(i)
                default: return CRYS_TYPE_ERROR
                }
                return CRYS_OK
            }
        }
    }
}
