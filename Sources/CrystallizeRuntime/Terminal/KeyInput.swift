import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads key presses from stdin in raw mode, waiting at most a given time for the first.
public enum KeyInput {
    /// The keys typed within `timeoutMs` milliseconds (none when nothing was typed).
    public static func next(timeoutMs: Int32) -> [Key] {
        var fds = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&fds, 1, timeoutMs) > 0, fds.revents & Int16(POLLIN) != 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, 256) }
        guard n > 0 else { return [] }
        return Key.decode(Array(buffer[0..<n]))
    }
}
