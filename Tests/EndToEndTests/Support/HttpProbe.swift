import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plain HTTP/1.1 over a TCP socket to 127.0.0.1: the request target goes out byte for byte
/// (URLSession would tidy `..` away before sending, which is exactly what a traversal test must not do).
enum HttpProbe {
    /// One response: status and body.
    struct Response {
        var status: Int
        var headers: String
        var body: String
    }

    /// A connected socket, or nil.
    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if ok != 0 { close(fd); return nil }
        var tv = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Sends `raw` bytes as they are.
    static func send(_ fd: Int32, _ raw: String) {
        let bytes = Array(raw.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// `method target` with Connection: close, read to the end; nil when the connection fails.
    static func request(port: Int, _ target: String, method: String = "GET") -> Response? {
        guard let fd = connect(port: port) else { return nil }
        defer { close(fd) }
        send(fd, "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        return parse(readAll(fd))
    }

    /// Sends arbitrary bytes (a malformed request) and hangs up without waiting for an answer:
    /// what matters is that the server goes on serving others.
    static func raw(port: Int, _ text: String) {
        guard let fd = connect(port: port) else { return }
        send(fd, text)
        close(fd)
    }

    static func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    static func parse(_ bytes: [UInt8]) -> Response? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let head = String(text[..<split.lowerBound])
        let parts = head.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        var body = String(text[split.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") { body = dechunk(body) }
        return Response(status: status, headers: head, body: body)
    }

    /// Joins chunked transfer-encoding pieces.
    static func dechunk(_ s: String) -> String {
        var out = ""
        var rest = Substring(s)
        while let nl = rest.range(of: "\r\n"), let size = Int(rest[..<nl.lowerBound], radix: 16), size > 0 {
            let start = nl.upperBound
            let data = Array(rest[start...].utf8)
            guard data.count >= size else { out += String(decoding: data, as: UTF8.self); break }
            out += String(decoding: data[0..<size], as: UTF8.self)
            rest = Substring(String(decoding: data[size...], as: UTF8.self)).dropFirst(2)
        }
        return out
    }

    /// Opens a server-sent-events stream and calls `onEvent` with each `data:` payload until it
    /// returns false, the stream ends, or `timeout` passes. Returns whether `onEvent` said stop.
    static func followEvents(port: Int, _ target: String, timeout: TimeInterval, onEvent: (String) -> Bool) -> Bool {
        guard let fd = connect(port: port) else { return false }
        defer { close(fd) }
        send(fd, "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n\r\n")
        let deadline = Date().addingTimeInterval(timeout)
        var pending = ""
        var buf = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return false }
            pending += String(decoding: buf[0..<n], as: UTF8.self)
            // Chunk-size lines and headers never start with "data: ", so reading lines is enough.
            while let nl = pending.range(of: "\n") {
                let line = String(pending[..<nl.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
                pending = String(pending[nl.upperBound...])
                if line.hasPrefix("data: "), !onEvent(String(line.dropFirst(6))) { return true }
            }
        }
        return false
    }
}
