import Foundation

/// How many replicates one array task runs. Each task costs the scheduler about a second
/// (start, prolog, epilog), so short replicates share tasks; long ones get a task each so the
/// cluster can spread them and a requeue repeats little work.
struct BatchSizing {
    /// The batch size and why, for the log line.
    let size: Int
    let reason: String

    /// The longest a task should run when replicate durations are known (seconds).
    static let targetTaskSeconds = 600.0

    /// Chooses for `count` pending replicates: the setting if given, else an even split over
    /// the task slots (array_throttle, else the cluster's idle CPUs / cpus_per_task), capped
    /// so that a task runs about `targetTaskSeconds` (or half the time limit) when earlier
    /// tasks of this run measured how long a replicate takes.
    static func choose(count: Int, settings: SlurmSettings, idleCPUs: Int?, measured: Double?) -> BatchSizing {
        if settings.replicatesPerTask > 0 {
            return BatchSizing(size: settings.replicatesPerTask, reason: "replicates_per_task: \(settings.replicatesPerTask)")
        }
        var why: [String] = []
        let slots: Int
        if settings.arrayThrottle > 0 {
            slots = settings.arrayThrottle; why.append("array_throttle \(slots)")
        } else if let idle = idleCPUs, idle > 0 {
            slots = max(1, idle / settings.cpusPerTask); why.append("\(idle) idle CPU(s) / \(settings.cpusPerTask) per task")
        } else {
            slots = 1; why.append("no idle CPUs reported")
        }
        var size = max(1, (count + slots - 1) / slots)
        if let d = measured, d > 0 {
            var budget = targetTaskSeconds
            if let limit = timeLimitSeconds(settings.timeLimit) { budget = min(budget, limit / 2) }
            let cap = max(1, Int(budget / d))
            why.append(String(format: "%.3g s per replicate measured", d))
            size = min(size, cap)
        } else {
            why.append("no replicate durations measured yet")
        }
        return BatchSizing(size: size, reason: "chosen from " + why.joined(separator: ", "))
    }

    /// Idle CPUs of the partition (`sinfo -h -o %C` is "allocated/idle/other/total"), or nil.
    static func idleCPUs(_ commands: Commands, partition: String) -> Int? {
        guard commands.paths["sinfo"] != nil else { return nil }
        let r = commands.run("sinfo", ["-h", "-o", "%C"] + (partition.isEmpty ? [] : ["-p", partition]), timeout: 30)
        guard r.status == 0 else { return nil }
        let total = r.stdout.split(whereSeparator: \.isNewline).compactMap { line -> Int? in
            let f = line.split(separator: "/")
            return f.count == 4 ? Int(f[1]) : nil
        }
        return total.isEmpty ? nil : total.reduce(0, +)
    }

    /// The mean replicate duration that task logs under `directories` report
    /// ("crystallize: replicate R finished in S s"), or nil when none does.
    static func measuredDuration(in directories: [String]) -> Double? {
        var sum = 0.0, n = 0
        for dir in directories {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where f.hasPrefix("task_") && f.hasSuffix(".log") {
                for line in Files.tail("\(dir)/\(f)", lines: 200) ?? [] {
                    guard let range = line.range(of: " finished in "), line.hasPrefix("crystallize: replicate ") else { continue }
                    if let s = Double(line[range.upperBound...].split(separator: " ").first ?? "") { sum += s; n += 1 }
                }
            }
        }
        return n > 0 ? sum / Double(n) : nil
    }

    /// "1-02:03:04", "02:03:04", "03:04" (minutes:seconds) or "5" (minutes) in seconds.
    static func timeLimitSeconds(_ text: String) -> Double? {
        guard !text.isEmpty else { return nil }
        var days = 0.0, rest = Substring(text)
        if let dash = rest.firstIndex(of: "-") { days = Double(rest[..<dash]) ?? 0; rest = rest[rest.index(after: dash)...] }
        let parts = rest.split(separator: ":").map { Double($0) }
        guard parts.allSatisfy({ $0 != nil }) else { return nil }
        let p = parts.map { $0! }
        let base: Double
        switch p.count {
        case 1: base = p[0] * 60
        case 2: base = days > 0 ? p[0] * 3600 + p[1] * 60 : p[0] * 60 + p[1]
        case 3: base = p[0] * 3600 + p[1] * 60 + p[2]
        default: return nil
        }
        return days * 86400 + base
    }
}
