import Foundation

/// Draws a `StoredGraph` left to right: each node in the column of its longest path from a
/// source, edges as arrows from upstream to consumer.
enum SvgDag {
    static func render(_ g: StoredGraph) -> String {
        var depth = Array(repeating: 0, count: g.nodes.count)
        for _ in 0..<g.nodes.count { for e in g.edges { depth[e.to] = max(depth[e.to], depth[e.from] + 1) } }
        var rowOf = Array(repeating: 0, count: g.nodes.count)
        var rows: [Int: Int] = [:]
        for i in g.nodes.indices { rowOf[i] = rows[depth[i], default: 0]; rows[depth[i], default: 0] += 1 }
        let w = 170.0, h = 40.0, gapX = 60.0, gapY = 20.0
        let columns = (depth.max() ?? 0) + 1, maxRows = rows.values.max() ?? 1
        let width = Double(columns) * (w + gapX), height = Double(maxRows) * (h + gapY) + gapY
        func origin(_ i: Int) -> (Double, Double) { (10 + Double(depth[i]) * (w + gapX), gapY + Double(rowOf[i]) * (h + gapY)) }
        var s = "<svg class=\"dag\" role=\"img\" viewBox=\"0 0 \(HtmlText.coord(width)) \(HtmlText.coord(height))\" width=\"\(HtmlText.coord(width))\" height=\"\(HtmlText.coord(height))\">"
        s += "<title>experiment graph</title><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path class=\"arrowhead\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>"
        for e in g.edges {
            let (x1, y1) = origin(e.from), (x2, y2) = origin(e.to)
            s += "<line class=\"edge\" x1=\"\(HtmlText.coord(x1 + w))\" y1=\"\(HtmlText.coord(y1 + h / 2))\" x2=\"\(HtmlText.coord(x2))\" y2=\"\(HtmlText.coord(y2 + h / 2))\" marker-end=\"url(#arrow)\"/>"
        }
        for (i, n) in g.nodes.enumerated() {
            let (x, y) = origin(i)
            let label = n.experiment + (n.version.map { " v\($0)" } ?? "")
            s += "<g class=\"node\(i == g.nodes.count - 1 ? " self" : "")\"><rect x=\"\(HtmlText.coord(x))\" y=\"\(HtmlText.coord(y))\" width=\"\(HtmlText.coord(w))\" height=\"\(HtmlText.coord(h))\" rx=\"6\"/>"
            s += "<text x=\"\(HtmlText.coord(x + w / 2))\" y=\"\(HtmlText.coord(y + h / 2))\" text-anchor=\"middle\" dominant-baseline=\"middle\">\(HtmlText.escape(label))</text></g>"
        }
        return s + "</svg>"
    }
}
