import Foundation

/// The dashboard's pages, as a function from request to response: read-only, from the data
/// folder alone. The HTTP server (the crystallize-dashboard product) only carries requests here
/// and streams `/events/…`; everything that decides what is served lives in this type.
///
/// Routes: `/` (experiments and runs), `/runs/<exp>/v<N>` (the run's report),
/// `/runs/<exp>/v<N>/live` (live progress, pushed by server-sent events from
/// `/events/<exp>/v<N>`), `/api/progress/<exp>/v<N>` (progress as JSON, with how many pages
/// follow the stream),
/// `/compare?a=<exp>@vN&b=<exp>@vN`, `/files/<exp>/v<N>/<path>` (a file of the run, as is).
public struct DashboardSite: Sendable {
    /// Where paths may lead.
    public let guardrail: DashboardPath
    /// The open progress streams, by run.
    public let watchers = StreamWatchers()

    /// The site of `dataRoot`.
    public init(dataRoot: String) throws { guardrail = try DashboardPath(dataRoot: dataRoot) }

    /// Answers `method` on the percent-encoded `path` with percent-encoded `query`. Never throws:
    /// every problem is a 4xx page.
    public func handle(method: String, path: String, query: String) -> DashboardResponse {
        guard method == "GET" || method == "HEAD" else { return .error(405, "the dashboard is read-only: \(method) is not allowed") }
        do {
            let segments = try DashboardPath.segments(path)
            switch segments.first {
            case nil: return .html(DashboardPages.index(root: guardrail.root))
            case "runs":
                let dir = try runDirectory(Array(segments.dropFirst()).prefix(2))
                if segments.count == 3 { return .html(DashboardPages.report(versionDirectory: dir, experiment: segments[1], version: segments[2])) }
                if segments.count == 4 && segments[3] == "live" { return .html(try DashboardPages.live(versionDirectory: dir, experiment: segments[1], version: segments[2])) }
                return .error(404, "no such page")
            case "api" where segments.count == 4 && segments[1] == "progress":
                let dir = try runDirectory(segments[2...3])
                guard case .map(var m) = try LiveProgress.read(versionDirectory: dir).json else { return .error(404, "no progress") }
                m["watchers"] = .int(Int64(watchers.count(dir)))
                return .json(.map(m))
            case "compare":
                let q = Self.query(query)
                guard let a = q["a"], let b = q["b"] else { return .error(400, "compare needs ?a=<experiment>@vN&b=<experiment>@vN") }
                let runs = try [a, b].map { ref -> StoredRun in
                    let parts = ref.split(separator: "@")
                    // The query's names obey the same rules as path segments: one plain name each.
                    guard parts.count == 2, parts.allSatisfy({ (try? DashboardPath.segments("/" + $0)) == [String($0)] }) else {
                        throw DashboardPath.Refusal(status: 400, message: "'\(ref)' is not <experiment>@vN")
                    }
                    return try StoredRun.load(directory: runDirectory([String(parts[0]), String(parts[1])][...]))
                }
                return .html(DashboardPages.compare(RunComparison(runs)))
            case "files" where segments.count >= 4:
                _ = try runDirectory(segments[1...2])
                let file = try guardrail.file(Array(segments.dropFirst()))
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: file, isDirectory: &isDir), !isDir.boolValue,
                      let data = FileManager.default.contents(atPath: file) else { return .error(404, "not a file") }
                return DashboardResponse(status: 200, contentType: Self.contentType(file), body: [UInt8](data))
            default:
                return .error(404, "no such page")
            }
        } catch let r as DashboardPath.Refusal {
            return .error(r.status, r.message)
        } catch {
            return .error(404, "\(error)")
        }
    }

    /// The version folder of (experiment, "vN") segments, inside the data folder and holding metadata.json.
    public func runDirectory(_ parts: ArraySlice<String>) throws -> String {
        guard parts.count == 2, let v = parts.last, v.hasPrefix("v"), Int(v.dropFirst()) != nil else {
            throw DashboardPath.Refusal(status: 404, message: "expected /<experiment>/v<N>")
        }
        let dir = try guardrail.file(Array(parts))
        guard FileManager.default.fileExists(atPath: "\(dir)/metadata.json") else { throw DashboardPath.Refusal(status: 404, message: "no run at \(parts.joined(separator: "/"))") }
        return dir
    }

    /// A query string's values, percent-decoded ("+" as space).
    static func query(_ q: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if kv.count == 2 { out[kv[0]] = kv[1] }
        }
        return out
    }

    static func contentType(_ file: String) -> String {
        switch (file as NSString).pathExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "json", "jsonl": return "application/json"
        case "txt", "csv", "log", "yaml": return "text/plain; charset=utf-8"
        case "png": return "image/png"
        case "svg": return "image/svg+xml"
        default: return "application/octet-stream"
        }
    }
}
