import Foundation

/// Turns a request path into a file inside the data folder, or refuses it. The dashboard never
/// serves anything outside that folder: segments are percent-decoded one by one and `..`, `.`,
/// empty or hidden segments, NUL and a `/` or `\` smuggled in encoded are refused; then the
/// real path (symlinks resolved) must still lie inside the data folder's real path.
public struct DashboardPath: Sendable {
    /// The data folder's real path.
    public let root: String

    /// A guard for `dataRoot` (which must exist).
    public init(dataRoot: String) throws {
        guard let real = Self.realPath(dataRoot) else { throw StoreError("data folder \(dataRoot) does not exist") }
        root = real
    }

    /// Why a path was refused: the status to answer and a message.
    public struct Refusal: Error, Equatable {
        /// HTTP status (400 bad request, 403 outside the data folder, 404 missing).
        public var status: Int
        /// What was wrong.
        public var message: String
    }

    /// The decoded segments of a percent-encoded path, or a refusal.
    public static func segments(_ encodedPath: String) throws -> [String] {
        var out: [String] = []
        for raw in encodedPath.split(separator: "/", omittingEmptySubsequences: true) {
            guard let s = String(raw).removingPercentEncoding else { throw Refusal(status: 400, message: "bad percent-encoding in the path") }
            if s == ".." || s == "." || s.isEmpty || s.hasPrefix(".") || s.contains("/") || s.contains("\\") || s.contains("\0") {
                throw Refusal(status: 400, message: "path segment '\(s)' is not allowed")
            }
            out.append(s)
        }
        return out
    }

    /// The real path of `segments` under the data folder, refusing anything that resolves outside it.
    public func file(_ segments: [String]) throws -> String {
        let joined = segments.reduce(root) { ($0 as NSString).appendingPathComponent($1) }
        guard let real = Self.realPath(joined) else { throw Refusal(status: 404, message: "not found") }
        guard real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw Refusal(status: 403, message: "outside the data folder")
        }
        return real
    }

    /// realpath(3): every symlink resolved; nil when the path does not exist.
    static func realPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}
