import CCrystallize
import Crystallize

/// An optimizer written with the Swift SDK: a line search over the first parameter (the
/// others at a random point drawn from the host's seeded stream), then the best point
/// measured again on twice the replicates.
final class LineSearch: OptimizerSearch {
    let names: [String]
    let lows: [Double], highs: [Double]
    let points: Int, replicates: Int
    var asked = 0
    var best: (candidate: Int, mean: Double)?
    let maximize: Bool

    init(space: HostValue, settings: HostValue) {
        names = space.keys
        lows = names.map { space[$0]?["low"]?.double ?? 0 }
        highs = names.map { space[$0]?["high"]?.double ?? 1 }
        points = Int(settings["trials"]?.int ?? 5)
        replicates = Int(settings["replicates_per_trial"]?.int ?? 1)
        maximize = settings["direction"]?.string == "maximize"
    }

    func ask(_ ctx: StepContext) throws -> [OptimizerTrial] {
        defer { asked += 1 }
        switch asked {
        case 0:
            let others = names.indices.dropFirst().map { lows[$0] + (highs[$0] - lows[$0]) * ctx.uniform() }
            return (0..<points).map { i in
                let x = lows[0] + (highs[0] - lows[0]) * Double(i) / Double(max(points - 1, 1))
                return OptimizerTrial(params: [(names[0], x)] + zip(names.dropFirst(), others).map { ($0, $1) })
            }
        case 1:
            guard let best else { return [] }
            return [OptimizerTrial(extending: best.candidate, replicates: 2 * replicates)]
        default: return []
        }
    }

    func tell(_ ctx: StepContext, _ reports: [OptimizerReport]) throws {
        for r in reports where !r.mean.isNaN {
            if best == nil || (maximize ? r.mean > best!.mean : r.mean < best!.mean) { best = (r.candidate, r.mean) }
        }
    }
}

@_cdecl("crystallize_plugin_entry")
public func crystallizePluginEntry(_ host: UnsafePointer<crys_host>) -> UnsafePointer<crys_plugin> {
    PluginBuilder(name: "SwiftOptimizerTestPlugin", version: "1.0", doc: "An optimizer through the Swift SDK")
        .optimizer("line_search", doc: "Evenly spaced points along the first parameter, then the best on twice the replicates") { _, space, settings in
            LineSearch(space: space, settings: settings)
        }
        .install(host)
}
