import Foundation
import OrderedCollections

/// The experiments a stored run read from, and theirs in turn: the DAG as the runs recorded
/// it (metadata.json's `upstream`: experiment name to the version consumed).
public struct StoredGraph {
    /// A node: an experiment and the version of it in this graph.
    public struct Node: Hashable {
        /// Experiment name.
        public var experiment: String
        /// Version consumed (nil when the upstream's metadata named none).
        public var version: Int?
    }
    /// Nodes, the run itself last.
    public var nodes: [Node]
    /// Edges from upstream to consumer, as node indices.
    public var edges: [(from: Int, to: Int)]

    /// Follows `upstream` records from `run` through the data folder it sits in.
    public static func of(_ run: StoredRun) -> StoredGraph {
        let dataRoot = ((run.directory as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        var nodes: [Node] = []
        var edges: [(Int, Int)] = []
        func index(_ n: Node) -> Int {
            if let i = nodes.firstIndex(of: n) { return i }
            nodes.append(n)
            return nodes.count - 1
        }
        func visit(_ node: Node, upstream: OrderedDictionary<String, Value>, depth: Int) {
            let me = index(node)
            guard depth < 32 else { return }
            for (name, info) in upstream {
                var v: Int? = nil
                if case .map(let m) = info { v = m.int("version") }
                let up = Node(experiment: name, version: v)
                let known = nodes.contains(up)
                let u = index(up)
                if !edges.contains(where: { $0.0 == u && $0.1 == me }) { edges.append((u, me)) }
                if !known, let v, case .map(let meta)? = try? JSONText.parseFile("\(dataRoot)/\(name)/v\(v)/metadata.json") {
                    visit(up, upstream: meta.map("upstream") ?? [:], depth: depth + 1)
                }
            }
        }
        visit(Node(experiment: run.experiment, version: run.version), upstream: run.metadata.map("upstream") ?? [:], depth: 0)
        // The run itself goes last, so it is drawn on the right.
        let order = Array(1..<nodes.count) + [0]
        let remap = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return StoredGraph(nodes: order.map { nodes[$0] }, edges: edges.map { (remap[$0.0]!, remap[$0.1]!) })
    }

    /// Whether there is a graph to draw (the run read from at least one upstream).
    public var isGraph: Bool { nodes.count > 1 }
}
