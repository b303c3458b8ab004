import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// How a transport moves one request of the wire protocol and its answer
/// over one connection. Throws only `HealthSyncError` (`ETIMEDOUT` after
/// `timeout`, `DEVICE_NOT_FOUND` once the peer closed the connection).
public protocol WireExchange: Sendable {
    /// What the server presented.
    var info: ConnectionInfo { get }
    func send(_ request: WireRequest, timeout: Duration) async throws -> WireResponse
    func close() async
}

/// The peer protocol's client side, shared by every transport: each typed
/// call becomes one request of the wire protocol, and its answer (or error)
/// is decoded here, so all transports speak the same bytes.
public struct PeerWireLink: PeerLink {
    private let exchange: any WireExchange

    public init(_ exchange: any WireExchange) { self.exchange = exchange }

    public var info: ConnectionInfo { exchange.info }

    public func pairWithToken(_ request: PairingMessage.TokenRequest, timeout: Duration) async throws -> PairingMessage.Exchange {
        try await post(WireRoute.pairToken, PairingWire.TokenRequest(request), as: PairingWire.Exchange.self, timeout).message
    }

    public func codeParameters(timeout: Duration) async throws -> PairingMessage.CodeParameters {
        try await post(WireRoute.pairCodeParameters, Empty(), as: PairingWire.CodeParameters.self, timeout).message()
    }

    public func codeShare(_ share: PairingMessage.CodeShare, timeout: Duration) async throws -> PairingMessage.CodeShareReply {
        try await post(WireRoute.pairCodeShare, PairingWire.CodeShare(share), as: PairingWire.CodeShareReply.self, timeout)
            .message()
    }

    public func codeConfirm(_ confirm: PairingMessage.CodeConfirm, timeout: Duration) async throws -> PairingMessage.Exchange {
        try await post(WireRoute.pairCodeConfirm, PairingWire.CodeConfirm(confirm), as: PairingWire.Exchange.self, timeout)
            .message
    }

    public func finishPairing(_ finish: PairingMessage.Finish, timeout: Duration) async throws {
        _ = try await post(WireRoute.pairFinish, PairingWire.Finish(clientCertificate: finish.clientCertificate),
                           as: PairingWire.Done.self, timeout)
    }

    public func status(timeout: Duration) async throws -> PeerStatus {
        try WireCodec.result(PeerStatus.self, from: try await exchange.send(
            WireRequest(method: "GET", path: WireRoute.status), timeout: timeout))
    }

    public func samples(_ query: SampleQuery, timeout: Duration) async throws -> SamplePage {
        let request = WireRequest(method: "GET", path: WireRoute.healthData, query: SampleQueryString.items(for: query))
        return try PeerWire.page(from: try await exchange.send(request, timeout: timeout))
    }

    public func changes(after: Int64, limit: Int, wait: Duration, timeout: Duration) async throws -> SampleChanges {
        var query = ["after": String(after), "limit": String(limit), "schema": String(SampleQuery.currentSchema)]
        let wait = min(max(wait, .zero), SampleChanges.maxWait)
        if wait > .zero { query["wait_ms"] = String(Int(wait / .milliseconds(1))) }
        let request = WireRequest(method: "GET", path: WireRoute.healthChanges, query: query)
        return try PeerWire.changes(from: try await exchange.send(request, timeout: wait + timeout))
    }

    public func renewCertificate(_ request: RenewalRequest, timeout: Duration) async throws -> RenewalReply {
        let reply = try await post(WireRoute.renewCertificate,
                                   PeerWire.RenewalRequest(csr: request.csr, timeMs: request.clientTime?.millisecondsSince1970),
                                   as: PeerWire.RenewalReply.self, timeout)
        return RenewalReply(certificate: reply.clientCertificate, serverTime: reply.timeMs.map { Date(millisecondsSince1970: $0) })
    }

    public func unpair(timeout: Duration) async throws {
        _ = try await post(WireRoute.unpair, Empty(), as: PairingWire.Done.self, timeout)
    }

    public func close() async { await exchange.close() }

    private struct Empty: Codable {}

    private func post<Body: Encodable, Reply: Decodable>(_ path: String, _ body: Body, as reply: Reply.Type,
                                                         _ timeout: Duration) async throws -> Reply {
        let request = WireRequest(method: "POST", path: path, body: try WireCodec.encode(body))
        return try WireCodec.result(reply, from: try await exchange.send(request, timeout: timeout))
    }
}
