/// A key press, decoded from the bytes a terminal sends in raw mode.
public enum Key: Equatable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, tab, backTab, escape, backspace, interrupt

    /// The keys in `bytes` (a read may hold several, or an escape sequence).
    public static func decode(_ bytes: [UInt8]) -> [Key] {
        var keys: [Key] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x03: keys.append(.interrupt); i += 1
            case 0x0D, 0x0A: keys.append(.enter); i += 1
            case 0x09: keys.append(.tab); i += 1
            case 0x7F, 0x08: keys.append(.backspace); i += 1
            case 0x1B:
                // CSI (ESC [) or SS3 (ESC O) sequences for arrows and paging; a lone ESC is Escape.
                if i + 1 < bytes.count, bytes[i + 1] == 0x5B || bytes[i + 1] == 0x4F {
                    var j = i + 2
                    var params = ""
                    while j < bytes.count, (0x30...0x3F).contains(bytes[j]) { params.append(Character(Unicode.Scalar(bytes[j]))); j += 1 }
                    guard j < bytes.count else { keys.append(.escape); i = bytes.count; break }
                    let final = bytes[j]
                    switch (final, params) {
                    case (0x41, _): keys.append(.up)
                    case (0x42, _): keys.append(.down)
                    case (0x43, _): keys.append(.right)
                    case (0x44, _): keys.append(.left)
                    case (0x48, _): keys.append(.home)
                    case (0x46, _): keys.append(.end)
                    case (0x5A, _): keys.append(.backTab)
                    case (0x7E, "5"): keys.append(.pageUp)
                    case (0x7E, "6"): keys.append(.pageDown)
                    case (0x7E, "1"), (0x7E, "7"): keys.append(.home)
                    case (0x7E, "4"), (0x7E, "8"): keys.append(.end)
                    default: break
                    }
                    i = j + 1
                } else {
                    keys.append(.escape); i += 1
                }
            default:
                // One UTF-8 character: its length from the lead byte.
                let n = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                let end = min(bytes.count, i + n)
                if let s = String(validating: bytes[i..<end], as: UTF8.self), let c = s.first { keys.append(.character(c)) }
                i = end
            }
        }
        return keys
    }
}
