import ChildProcesses
import Foundation
import XCTest

/// Headless Chromium for tests that look at HTML the way a user does. CI installs Debian's
/// `chromium` and sets CRYSTALLIZE_TEST_CHROMIUM (.ci/setup.d/40-chromium.sh); without it the
/// tests that need a browser are skipped.
enum Chromium {
    /// The browser, or a skip when the variable is not set.
    static func executable() throws -> String {
        guard let p = ProcessInfo.processInfo.environment["CRYSTALLIZE_TEST_CHROMIUM"], !p.isEmpty else {
            throw XCTSkip("CRYSTALLIZE_TEST_CHROMIUM is not set (CI sets it; locally: apt-get install chromium, export CRYSTALLIZE_TEST_CHROMIUM=/usr/bin/chromium)")
        }
        return p
    }

    /// Flags for a browser that can reach nothing: every host name fails to resolve, every
    /// proxied request goes to a closed port, and background services (updates, sync,
    /// safe browsing) are off, so whatever shows in the net log came from the page.
    /// With `loopback`, 127.0.0.1 alone stays reachable (for pages the dashboard serves).
    static func isolated(loopback: Bool) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--proxy-server=http://127.0.0.1:9"]
            + (loopback ? ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-bypass-list=127.0.0.1"]
                        : ["--host-resolver-rules=MAP * ~NOTFOUND"])
    }

    /// Runs the browser with `arguments` (after the isolating flags) in a profile folder of its own and returns stdout.
    @discardableResult
    static func run(_ arguments: [String], profile: String, loopback: Bool = false, timeout: TimeInterval = 120) throws -> String {
        Command(try executable(), isolated(loopback: loopback) + ["--user-data-dir=\(profile)"] + arguments,
                environment: ["HOME": profile], timeout: timeout).runBlocking().stdout
    }

    /// Every http(s) or ws(s) request a page started, from the browser's net log: what would
    /// have left the machine on the page's behalf. The browser's own background requests
    /// (time, update and account services) carry the initiator "not an origin" and are left out.
    static func pageRequests(netLog path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path),
              let log = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let types = (log["constants"] as? [String: Any])?["logEventTypes"] as? [String: Int],
              let start = types["URL_REQUEST_START_JOB"], let events = log["events"] as? [[String: Any]] else {
            return ["(net log \(path) missing or unreadable)"]
        }
        return events.compactMap { e in
            guard e["type"] as? Int == start, let p = e["params"] as? [String: Any], let url = p["url"] as? String,
                  ["http:", "https:", "ws:", "wss:"].contains(where: { url.hasPrefix($0) }),
                  p["initiator"] as? String != "not an origin" else { return nil }
            return url
        }
    }
}
