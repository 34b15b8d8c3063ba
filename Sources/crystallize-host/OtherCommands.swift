import ArgumentParser
import CrystallizeRuntime
import Foundation

/// `crystallize-host list`: experiments under a folder.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List experiments (experiments/**/config.yaml).")
    @Argument(help: "Folder to search.") var root: String = "experiments"

    func run() throws {
        let entries = ExperimentCatalog.list(root: root)
        if entries.isEmpty { exitWith("no config.yaml found under \(root)", code: 1) }
        var rows = [["name", "replicates", "treatments", "config"]]
        for e in entries {
            if let p = e.problem { rows.append(["?", "-", "error: \(p)", e.path]); continue }
            rows.append([e.name, "\(e.replicates)", e.treatments.isEmpty ? "-" : e.treatments.joined(separator: ", "), e.path])
        }
        print(Summary.table(rows))
    }
}

/// `crystallize-host inspect`: a plugin's exports.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a plugin's exports without running its code beyond the entry point.")
    @Argument(help: "Plugin library paths (or use --plugin).") var paths: [String] = []

    func run() throws {
        let all = paths + CrystallizeHost.pluginPaths
        if all.isEmpty { throw ValidationError("give a plugin library path") }
        let registry = PluginRegistry()
        var out: [String] = []
        for p in all {
            do { out.append(PluginInspector.describe(try registry.load(p))) } catch { exitWith("error: \(error)", code: 2) }
        }
        print(out.joined(separator: "\n\n"))
    }
}

/// `crystallize-host show`: results and provenance of a stored run, from files alone.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a stored run's results and provenance tree (no plugins needed).")
    @Argument(help: "Experiment name, folder or config.yaml.") var experiment: String
    @Option(name: .customLong("data-dir"), help: "Root of the results folder.") var dataDir: String = "data"
    @Option(help: "Version (default: latest).") var version: Int?
    @Option(help: "Provenance tree levels, e.g. \"treatment > replicate > step > action\".") var tree: String?
    @Flag(help: "Print the run's whole provenance as JSON: provenance.json joined with every step record.") var provenance = false
    @Option(help: "text (default), or csv / json: every replicate's metrics, one row per (replicate, condition).") var format: String = "text"
    @Option(help: "Print every kept log of this replicate (step logs, worker output, cluster attempts).") var logs: Int?

    func validate() throws {
        if !["text", "csv", "json"].contains(format) { throw ValidationError("--format must be text, csv or json, got '\(format)'") }
        if let r = logs, r < 0 { throw ValidationError("--logs takes a replicate index (0 or more), got \(r)") }
    }

    func run() throws {
        do {
            if let logs { print(try RunViewer.logs(experiment: experiment, dataRoot: dataDir, version: version, replicate: logs), terminator: "") }
            else if format != "text" {
                let run = try StoredRun.load(directory: RunLocator.versionDirectory(version.map { "\(experiment)@v\($0)" } ?? experiment, dataRoot: dataDir))
                print(format == "csv" ? MetricsExport.csv(run) : JSONText.encode(MetricsExport.json(run), indent: 2), terminator: format == "csv" ? "" : "\n")
            } else if provenance { print(try RunViewer.provenance(experiment: experiment, dataRoot: dataDir, version: version)) }
            else { print(try RunViewer.render(experiment: experiment, dataRoot: dataDir, version: version, tree: tree)) }
        } catch {
            exitWith("error: \(error)", code: 2)
        }
    }
}

/// `crystallize-host graph`: dependencies and execution order of an experiment graph.
struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print an experiment's upstream dependencies and execution order.")
    @Argument(help: "Experiment folder or config.yaml.") var target: String
    @Option(name: .customLong("sweep"), help: "A grid axis key=v1,v2,... (repeatable), as for run.") var sweeps: [String] = []

    func run() throws {
        var o = RunOverrides()
        o.pluginPaths = CrystallizeHost.pluginPaths
        o.sweeps = sweeps
        do { print(try ExperimentGraph(target: target, registry: PluginRegistry(), overrides: o).describe()) } catch {
            exitWith("error: \(error)", code: 2)
        }
    }
}

/// `crystallize-host worker`: runs replicates for a parent process or a cluster task.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run replicates of a parent's run (internal).", shouldDisplay: false)
    @Option(help: "The run's request file.") var request: String
    @Flag(help: "Read replicate lines on stdin and stream results.") var stream = false
    @Option(help: "Run this replicate.") var replicate: String?
    @Option(help: "Write the result here.") var out: String?
    @Option(help: "Run these replicates one after another (e.g. 0,3,5-9), each into its own result file.") var replicates: String?
    @Option(name: .customLong("out-pattern"), help: "Result file of each replicate of --replicates; {r} becomes its index.") var outPattern: String?

    func run() async throws {
        let code = await WorkerMain.run(requestPath: request, stream: stream, replicate: replicate, out: out, replicates: replicates, outPattern: outPattern)
        if code != 0 { throw ExitCode(code) }
    }
}
