import CrystallizeRuntime
import FlyingFox
import FlyingSocks
import Foundation

/// `crystallize-dashboard --data-dir D --port P --host H`: the read-only web dashboard
/// (`crystallize-host serve` starts it). This file only carries HTTP to `DashboardSite` and
/// streams progress; what is served is decided there.
@main
enum DashboardMain {
    static func main() async {
        var dataDir = "data", port: UInt16 = 8765, host = "127.0.0.1"
        var args = Array(CommandLine.arguments.dropFirst())
        while !args.isEmpty {
            let flag = args.removeFirst()
            guard !args.isEmpty else { fail("\(flag) needs a value (usage: crystallize-dashboard [--data-dir D] [--port P] [--host H])") }
            let value = args.removeFirst()
            switch flag {
            case "--data-dir": dataDir = value
            case "--port": guard let p = UInt16(value) else { fail("--port must be 0…65535, got '\(value)'") }; port = p
            case "--host": host = value
            default: fail("unknown option \(flag) (usage: crystallize-dashboard [--data-dir D] [--port P] [--host H])")
            }
        }
        if host == "localhost" { host = "127.0.0.1" }
        let site: DashboardSite
        do { site = try DashboardSite(dataRoot: dataDir) } catch { fail("\(error): give the results folder with --data-dir (runs write data/ beside experiments/)") }
        let address: any SocketAddress
        do {
            address = host.contains(":") ? try sockaddr_in6.inet6(ip6: host, port: port) : try sockaddr_in.inet(ip4: host, port: port)
        } catch { fail("--host '\(host)' is not an IP address (\(error))") }
        let server = HTTPServer(address: address, timeout: 30, logger: .disabled)
        await server.appendRoute("GET /events/*") { request in events(request, site: site) }
        await server.appendRoute("*") { request in
            let r = site.handle(method: request.method.rawValue, path: request.target.path(), query: request.target.query())
            return HTTPResponse(statusCode: HTTPStatusCode(r.status, phrase: phrase(r.status)),
                                headers: [.contentType: r.contentType, HTTPHeader("X-Content-Type-Options"): "nosniff"],
                                body: request.method == .HEAD ? Data() : Data(r.body))
        }
        Task {
            try? await server.waitUntilListening()
            if case .ip4(let ip, let p)? = await server.listeningAddress {
                print("serving \(site.guardrail.root) at http://\(ip):\(p)/ (read-only; Ctrl-C stops)")
            } else if case .ip6(let ip, let p)? = await server.listeningAddress {
                print("serving \(site.guardrail.root) at http://[\(ip)]:\(p)/ (read-only; Ctrl-C stops)")
            }
            fflush(stdout)
        }
        do { try await server.run() } catch { fail("cannot serve on \(host):\(port): \(error)") }
    }

    /// `/events/<exp>/v<N>`: the run's progress as server-sent events.
    static func events(_ request: HTTPRequest, site: DashboardSite) -> HTTPResponse {
        do {
            let segments = try DashboardPath.segments(request.target.path())
            let dir = try site.runDirectory(segments.dropFirst())
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/event-stream", HTTPHeader("Cache-Control"): "no-cache"],
                                body: HTTPBodySequence(from: ProgressBytes(stream: ProgressStream(versionDirectory: dir), watchers: site.watchers, run: dir)))
        } catch let r as DashboardPath.Refusal {
            return HTTPResponse(statusCode: HTTPStatusCode(r.status, phrase: phrase(r.status)), body: Data((r.message + "\n").utf8))
        } catch {
            return HTTPResponse(statusCode: .notFound, body: Data("\(error)\n".utf8))
        }
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        default: return "Error"
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(2)
    }
}

/// `ProgressStream` as the byte sequence FlyingFox sends chunked.
struct ProgressBytes: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    let stream: ProgressStream
    let watchers: StreamWatchers
    let run: String

    func makeAsyncIterator() -> Iterator { Iterator(stream: stream, watching: watchers.watch(run)) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var stream: ProgressStream
        /// Counts this stream as a watcher until the server drops the iterator.
        let watching: StreamWatchers.Token
        var pending: [UInt8] = []

        mutating func next() async throws -> UInt8? {
            if pending.isEmpty { guard let b = await stream.next() else { return nil }; pending = b }
            return pending.removeFirst()
        }

        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            if pending.isEmpty { guard let b = await stream.next() else { return nil }; pending = b }
            let out = Array(pending.prefix(count))
            pending.removeFirst(out.count)
            return out
        }
    }
}
