import Foundation

/// The dashboard's HTML pages. They share the report's stylesheet; only the live page has a
/// script (an EventSource on the same origin), and nothing is loaded from elsewhere.
enum DashboardPages {
    /// Every experiment folder under the data root with its runs, newest first, and a form to compare two.
    static func index(root: String) -> String {
        let fm = FileManager.default
        let experiments = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var body = "<h1>crystallize-host dashboard</h1><p class=\"muted\">\(HtmlText.escape(root)) · read-only</p>"
        var refs: [String] = []
        var any = false
        for e in experiments {
            let store = RunStore(dataRoot: root, experiment: e)
            let versions = store.versions().filter { fm.fileExists(atPath: store.metadataPath($0)) }
            guard !versions.isEmpty else { continue }
            any = true
            body += "<h2>\(HtmlText.escape(e))</h2><table class=\"runs\"><tr><th>run</th><th>status</th><th>replicates</th><th>started</th><th>git</th><th></th></tr>"
            for v in versions.reversed() {
                let meta = (try? store.readMetadata(v)) ?? nil
                let status = RunLiveness.shownStatus(meta?.string("status") ?? "?", experimentDirectory: store.experimentDirectory)
                let base = "/runs/\(Self.segment(e))/v\(v)"
                refs.append("\(e)@v\(v)")
                body += "<tr class=\"run\" data-run=\"\(HtmlText.escape(e))@v\(v)\"><td><a href=\"\(base)\">v\(v)</a></td><td>\(HtmlText.escape(status))</td>"
                body += "<td class=\"num\">\(HtmlText.value(meta?["replicates"]))</td><td>\(HtmlText.escape(meta?.string("started") ?? "–"))</td>"
                body += "<td class=\"mono\">\(HtmlText.escape(GitInfo(json: meta?["git"])?.summary ?? "–"))</td><td><a href=\"\(base)/live\">\(status == "running" ? "live progress" : "progress")</a></td></tr>"
            }
            body += "</table>"
        }
        if !any { body += "<p class=\"muted\">No runs yet under this folder.</p>" }
        if refs.count >= 2 {
            let options = refs.map { "<option>\(HtmlText.escape($0))</option>" }.joined()
            body += "<h2>Compare two runs</h2><form action=\"/compare\" method=\"get\"><select name=\"a\">\(options)</select> <select name=\"b\">\(options)</select> <button>compare</button></form>"
        }
        return HtmlReport.page(title: "crystallize-host dashboard", body: body)
    }

    /// A run's report with the dashboard's links.
    static func report(versionDirectory: String, experiment: String, version: String) -> String {
        do {
            let run = try StoredRun.load(directory: versionDirectory)
            return HtmlReport.render(run, links: [("← experiments", "/"), ("live progress", "/runs/\(segment(experiment))/\(version)/live")])
        } catch {
            return HtmlReport.page(title: "error", body: "<h1>Cannot read this run</h1><p class=\"bad\">\(HtmlText.escape("\(error)"))</p>")
        }
    }

    /// The live page: the progress now, then updates pushed by the server as the run goes on.
    static func live(versionDirectory: String, experiment: String, version: String) throws -> String {
        let p = try LiveProgress.read(versionDirectory: versionDirectory)
        let events = "/events/\(segment(experiment))/\(version)"
        var body = "<nav><a href=\"/\">← experiments</a><a href=\"/runs/\(segment(experiment))/\(version)\">report</a></nav>"
        body += "<h1>\(HtmlText.escape(experiment)) <span class=\"muted\">\(HtmlText.escape(version))</span></h1>"
        body += "<table class=\"progress\"><tr><th>status</th><td id=\"status\">\(HtmlText.escape(p.status))</td></tr>"
        body += "<tr><th>replicates done</th><td><span id=\"done\">\(p.done)</span> of <span id=\"total\">\(p.total)</span> (replicate × condition)</td></tr>"
        body += "<tr><th>failures</th><td id=\"failures\">\(p.failures)</td></tr>"
        body += "<tr><th>elapsed</th><td id=\"elapsed\">\(p.elapsed.map { String(format: "%.1f s", $0) } ?? "–")</td></tr>"
        body += "<tr><th>ETA</th><td id=\"eta\">\(p.eta.map { String(format: "%.1f s", $0) } ?? "–")</td></tr></table>"
        body += "<progress id=\"bar\" max=\"\(max(p.total, 1))\" value=\"\(p.done)\" style=\"width: 100%\"></progress>"
        body += "<ul id=\"recent\">" + p.recentFailures.map { "<li class=\"bad\">\(HtmlText.escape($0))</li>" }.joined() + "</ul>"
        body += "<p class=\"note\" id=\"updates\" data-updates=\"0\">updates pushed from \(HtmlText.escape(events))</p>"
        let script = """
        <script>
        (function () {
          var n = 0, es = new EventSource(\(JSONText.quoted(events)));
          function s(v) { return v === null ? "\\u2013" : v.toFixed(1) + " s"; }
          es.addEventListener("progress", function (e) {
            var p = JSON.parse(e.data); n += 1;
            document.getElementById("status").textContent = p.status;
            document.getElementById("done").textContent = p.done;
            document.getElementById("total").textContent = p.total;
            document.getElementById("failures").textContent = p.failures;
            document.getElementById("elapsed").textContent = s(p.elapsed_s);
            document.getElementById("eta").textContent = s(p.eta_s);
            var bar = document.getElementById("bar"); bar.max = Math.max(p.total, 1); bar.value = p.done;
            var ul = document.getElementById("recent"); ul.textContent = "";
            p.recent_failures.forEach(function (f) { var li = document.createElement("li"); li.className = "bad"; li.textContent = f; ul.appendChild(li); });
            var u = document.getElementById("updates"); u.dataset.updates = n; u.textContent = n + " update(s) received";
            if (p.status !== "running") { es.close(); }
          });
        })();
        </script>
        """
        return HtmlReport.page(title: "\(experiment) \(version) — live", body: body + script)
    }

    /// Two runs compared.
    static func compare(_ c: RunComparison) -> String {
        HtmlReport.page(title: "compare", body: "<nav><a href=\"/\">← experiments</a></nav><h1>Compare \(HtmlText.escape(c.entries.map(\.label).joined(separator: " vs ")))</h1>" + c.renderHtml(all: false))
    }

    /// A name as one URL path segment.
    static func segment(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? s
    }
}
