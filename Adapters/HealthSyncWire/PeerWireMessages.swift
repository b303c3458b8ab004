import HealthSyncDomain
import SampleJSONSupport

/// The JSON bodies of the peer routes beyond pairing.
enum PeerWire {
    /// POST certificates/renew: a CSR for the key the client already has.
    struct RenewalRequest: Codable {
        let csr: String
        /// The client's clock, in milliseconds since 1970 (absent from older peers).
        let timeMs: Int64?
    }

    /// The new client certificate, issued by the server's CA, and the server's clock.
    struct RenewalReply: Codable {
        let clientCertificate: String
        let timeMs: Int64?
    }

    /// GET health/data: one page, written and read by hand in the usual
    /// case (`SampleJSON`), by the generic codec otherwise.
    static func encode(_ page: SamplePage) throws -> WireResponse {
        let json = SampleJSONPage(samples: page.samples, nextCursor: page.nextCursor?.token)
        if let body = SampleJSON.encode(json) { return WireResponse(status: 200, body: body) }
        return try .ok(json)
    }

    /// GET health/changes, the same way.
    static func encode(_ changes: SampleChanges) throws -> WireResponse {
        if let body = SampleJSON.encode(changes) { return WireResponse(status: 200, body: body) }
        return try .ok(changes)
    }

    static func changes(from response: WireResponse) throws -> SampleChanges {
        if response.status == 200, response.body.count <= WireCodec.maxResponseBytes,
           let changes = SampleJSONReader.changes(response.body) {
            return changes
        }
        return try WireCodec.result(SampleChanges.self, from: response, maxBytes: WireCodec.maxResponseBytes)
    }

    static func page(from response: WireResponse) throws -> SamplePage {
        let json: SampleJSONPage
        if response.status == 200, response.body.count <= WireCodec.maxResponseBytes,
           let page = SampleJSONReader.page(response.body) {
            json = page
        } else {
            json = try WireCodec.result(SampleJSONPage.self, from: response, maxBytes: WireCodec.maxResponseBytes)
        }
        return SamplePage(samples: json.samples, nextCursor: try json.nextCursor.map { try SampleCursor(token: $0) })
    }
}
