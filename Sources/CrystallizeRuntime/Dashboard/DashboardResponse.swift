/// What the dashboard answers to one request, independent of the HTTP server that sends it.
public struct DashboardResponse: Equatable {
    /// HTTP status code.
    public var status: Int
    /// Content-Type header.
    public var contentType: String
    /// The body.
    public var body: [UInt8]

    /// A response from its parts.
    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// An HTML page.
    static func html(_ text: String, status: Int = 200) -> DashboardResponse {
        DashboardResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(text.utf8))
    }

    /// A JSON document.
    static func json(_ value: Value) -> DashboardResponse {
        DashboardResponse(status: 200, contentType: "application/json", body: Array(JSONText.encode(value).utf8))
    }

    /// An error page with `status` and a one-line message.
    static func error(_ status: Int, _ message: String) -> DashboardResponse {
        html(HtmlReport.page(title: "\(status)", body: "<h1>\(status)</h1><p>\(HtmlText.escape(message))</p><p><a href=\"/\">experiments</a></p>"), status: status)
    }
}
