import Foundation
import OrderedCollections

/// The parameters a random sweep or an optimizer varies, each with its distribution, in the
/// order written (which fixes the order of random draws).
public struct SearchSpace {
    /// Parameter names and distributions.
    public var params: [(key: String, dist: ParamDistribution)]

    /// Reads `params: {name: distribution, ...}`.
    static func parse(_ node: YAMLNode) throws -> SearchSpace {
        var out: [(key: String, dist: ParamDistribution)] = []
        for (key, v) in try node.mapping("a mapping of parameter names to distributions") {
            try SweepSpec.checkKey(key, node: v)
            let d = try ParamDistribution.parse(v, name: key)
            if case .choice(let values) = d { for value in values { try TreatmentName.check(value, key: key, node: v) } }
            out.append((key, d))
        }
        guard !out.isEmpty else { throw node.error("params lists no parameters") }
        return SearchSpace(params: out)
    }

    /// One point drawn from every distribution in order.
    func sample(_ rng: inout SeededGenerator) -> OrderedDictionary<String, Value> {
        OrderedDictionary(uniqueKeysWithValues: params.map { ($0.key, $0.dist.sample(&rng)) })
    }

    /// The JSON form.
    var json: Value { .map(OrderedDictionary(uniqueKeysWithValues: params.map { ($0.key, $0.dist.json) })) }
}
