import CCrystallize
import OrderedCollections

/// The one `crys_host` table this process hands to every plugin.
///
/// It is built once and never freed; plugins keep the pointer for the life of the process.
public enum HostTable {
    /// The table's address.
    public static let pointer: UnsafeMutablePointer<crys_host> = {
        let p = UnsafeMutablePointer<crys_host>.allocate(capacity: 1)
        var t = crys_host()
        t.size = UInt32(MemoryLayout<crys_host>.size)
        t.abi_major = UInt16(CRYS_ABI_MAJOR)
        t.abi_minor = UInt16(CRYS_ABI_MINOR)
        installErrorsAndValues(&t)
        installReaders(&t)
        installContext(&t)
        installLoop(&t)
        installChecked(&t)
        p.initialize(to: t)
        return p
    }()


    private static func installErrorsAndValues(_ t: inout crys_host) {
        t.set_error = { ctx, msg in CallFrame.from(ctx)?.error = hostString(msg) ?? "unknown error" }
        t.log = { ctx, level, msg in
            guard let f = CallFrame.from(ctx), let m = hostString(msg) else { return }
            f.services.log?(level, m)
        }
        t.make_null = { ctx in CallFrame.from(ctx)?.make(.null) }
        t.make_bool = { ctx, b in CallFrame.peek(ctx, nil) { $0.make(.bool(b != 0)) } }
        t.make_i64 = { ctx, i in CallFrame.peek(ctx, nil) { $0.make(.int(i)) } }
        t.make_f64 = { ctx, d in CallFrame.peek(ctx, nil) { $0.make(.double(d)) } }
        t.make_string = { ctx, p, n in
            guard let f = CallFrame.from(ctx), let p else { return nil }
            let buf = UnsafeRawBufferPointer(start: p, count: n)
            guard let s = String(validating: buf.bindMemory(to: UInt8.self), as: UTF8.self) else { return nil }
            return f.make(.string(s))
        }
        t.make_bytes = { ctx, p, n in
            guard let f = CallFrame.from(ctx) else { return nil }
            let bytes = p.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: n)) } ?? []
            return f.make(.bytes(bytes))
        }
        t.make_list = { ctx in CallFrame.from(ctx)?.make(.list([])) }
        t.make_map = { ctx in CallFrame.from(ctx)?.make(.map([:])) }
        t.make_f64_array = { ctx, n in CallFrame.peek(ctx, nil) { $0.make(.doubles(DoubleArray.zeros(n))) } }
        t.list_push = { list, item in
            guard let l = ValueBox.from(list), let i = ValueBox.from(item) else { return CRYS_INVALID }
            guard case .list(var items) = l.value else { return CRYS_TYPE_ERROR }
            l.value = .null  // keep `items` uniquely referenced so the append does not copy
            items.append(i.value)
            l.value = .list(items)
            return CRYS_OK
        }
        t.map_set = { map, key, item in
            guard let m = ValueBox.from(map), let k = hostString(key), let i = ValueBox.from(item) else { return CRYS_INVALID }
            guard case .map(var entries) = m.value else { return CRYS_TYPE_ERROR }
            m.value = .null
            let replaced = entries.index(forKey: k)
            entries[k] = i.value
            m.value = .map(entries)
            if let replaced { m.retireChild(replaced) }
            return CRYS_OK
        }
    }

    private static func installReaders(_ t: inout crys_host) {
        t.type_of = { v in ValueBox.peek(v, CRYS_T_NULL) { b in
            switch b.value {
            case .null: return CRYS_T_NULL
            case .bool: return CRYS_T_BOOL
            case .int: return CRYS_T_I64
            case .double: return CRYS_T_F64
            case .string: return CRYS_T_STRING
            case .bytes: return CRYS_T_BYTES
            case .list: return CRYS_T_LIST
            case .map: return CRYS_T_MAP
            case .doubles: return CRYS_T_F64_ARRAY
            }
        } }
        t.get_bool = { v in ValueBox.peek(v, 0) { if case .bool(let b) = $0.value { return b ? 1 : 0 } else { return 0 } } }
        t.get_i64 = { v in ValueBox.peek(v, 0) { b in
            switch b.value {
            case .int(let i): return i
            case .double(let d) where d.isFinite && abs(d) < 9.2e18: return Int64(d)
            case .bool(let b): return b ? 1 : 0
            default: return 0
            }
        } }
        t.get_f64 = { v in ValueBox.peek(v, .nan) { b in
            switch b.value {
            case .double(let d): return d
            case .int(let i): return Double(i)
            case .bool(let x): return x ? 1 : 0
            default: return .nan
            }
        } }
        t.get_string = { v, len in
            guard let b = ValueBox.from(v), case .string(let s) = b.value else { return nil }
            len?.pointee = s.utf8.count
            return b.stringPointer()
        }
        t.get_bytes = { v, len in
            guard let b = ValueBox.from(v) else { return nil }
            switch b.value {
            case .string(let s):
                len?.pointee = s.utf8.count
                return UnsafeRawPointer(b.stringPointer())
            case .bytes(let bytes):
                len?.pointee = bytes.count
                // Arrays give no stable address; keep a stable copy in a child slot.
                let holder = b.child(-1) { .doubles(DoubleArray.zeros((bytes.count + 7) / 8)) }
                guard case .doubles(let store) = holder.value else { return nil }
                let raw = UnsafeMutableRawPointer(store.base)
                bytes.withUnsafeBytes { if let s = $0.baseAddress { raw.copyMemory(from: s, byteCount: bytes.count) } }
                return UnsafeRawPointer(raw)
            default: return nil
            }
        }
        t.count = { v in
            switch ValueBox.from(v)?.value {
            case .list(let l)?: return l.count
            case .map(let m)?: return m.count
            case .doubles(let a)?: return a.count
            case .bytes(let b)?: return b.count
            case .string(let s)?: return s.utf8.count
            default: return 0
            }
        }
        t.list_at = { v, i in
            guard let b = ValueBox.from(v), case .list(let l) = b.value, i < l.count else { return nil }
            return b.child(Int(i)) { l[Int(i)] }.pointer
        }
        t.map_key_at = { v, i in
            guard let b = ValueBox.from(v), case .map(let m) = b.value, i < m.count else { return nil }
            return b.keyPointer(Int(i), m.keys[Int(i)])
        }
        t.map_value_at = { v, i in
            guard let b = ValueBox.from(v), case .map(let m) = b.value, i < m.count else { return nil }
            return b.child(Int(i)) { m.values[Int(i)] }.pointer
        }
        t.map_get = { v, key in
            guard let b = ValueBox.from(v), case .map(let m) = b.value, let k = hostString(key),
                  let i = m.index(forKey: k) else { return nil }
            return b.child(i) { m.values[i] }.pointer
        }
        t.f64_data = { v, n in ValueBox.peek(v, nil) { b in
            guard let a = b.writableDoubles() else { return nil }
            n?.pointee = a.count
            return a.base
        } }
    }
}

/// A borrowed C string copied into Swift (nil stays nil).
func hostString(_ p: UnsafePointer<CChar>?) -> String? { p.map { String(cString: $0) } }
