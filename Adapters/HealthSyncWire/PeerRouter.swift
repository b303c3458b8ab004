import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The peer protocol's server side, shared by every transport: decodes one
/// request, calls the use cases through `PeerRequests`, and encodes the
/// answer or the error (with its status) — after the wild-workouts ports:
/// decode at the edge, call the application, map errors at the edge.
public struct PeerRouter: Sendable {
    private let requests: any PeerRequests
    private let prefetch: PagePrefetch

    /// `executor` runs the pages made ahead (where the transport runs its
    /// handlers: they read the store synchronously); the global one when nil.
    public init(_ requests: any PeerRequests, executor: (any TaskExecutor)? = nil) {
        self.requests = requests
        prefetch = PagePrefetch(executor: executor)
    }

    /// See `PeerRequests.admitsClientsWithoutCertificate`.
    public var admitsClientsWithoutCertificate: Bool { requests.admitsClientsWithoutCertificate }

    /// See `PeerRequests.handshakeRefused`.
    public func refused(from address: String, reason: HealthSyncError) {
        requests.handshakeRefused(from: address, reason: reason)
    }

    /// The connection with this channel binding has closed: what was made
    /// ahead for it is dropped.
    public func connectionClosed(channelBinding: [UInt8]) {
        prefetch.drop(channelBinding)
    }

    /// Answers one request; every failure becomes an error response.
    public func handle(_ request: WireRequest, from peer: ConnectionInfo) async -> WireResponse {
        guard request.body.count <= WireCodec.maxRequestBytes else {
            return WireResponse(error: HealthSyncError(.payloadTooLarge))
        }
        do {
            return try await route(request, from: peer)
        } catch {
            return WireResponse(error: HealthSyncError.wrap(error, as: .protocolError, "The request failed"))
        }
    }

    /// The answer to `ask` and what the page after it would be asked with.
    private func answer(_ ask: PagePrefetch.Ask, wait: Duration = .zero, from peer: ConnectionInfo) async throws -> PagePrefetch.Answer {
        switch ask {
        case .samples(let query):
            let page = try await requests.samples(query, from: peer)
            return (try PeerWire.encode(page), page.nextCursor.flatMap { try? query.after($0) }.map { .samples($0) })
        case .changes(let after, let limit, let schema):
            let changes = try await requests.changes(after: after, limit: limit, wait: wait, schema: schema, from: peer)
            return (try PeerWire.encode(changes), changes.more ? .changes(after: changes.last, limit: limit, schema: schema) : nil)
        }
    }

    /// Answers a page request: from the answer made ahead for it when there
    /// is one (trust checked again now: an unpairing in between refuses it),
    /// then starts making the next page's (see `PagePrefetch`).
    private func page(_ ask: PagePrefetch.Ask, wait: Duration = .zero, from peer: ConnectionInfo) async throws -> WireResponse {
        let answered: PagePrefetch.Answer
        if wait == .zero, let ahead = prefetch.take(ask, on: peer.channelBinding) {
            _ = try await requests.status(from: peer)
            answered = await ahead.value
        } else {
            answered = try await answer(ask, wait: wait, from: peer)
        }
        if let next = answered.next, !peer.channelBinding.isEmpty {
            let router = self
            prefetch.start(next, on: peer.channelBinding) {
                do {
                    return try await router.answer(next, from: peer)
                } catch {
                    return (WireResponse(error: HealthSyncError.wrap(error, as: .protocolError, "The request failed")), nil)
                }
            }
        }
        return answered.response
    }

    private func route(_ request: WireRequest, from peer: ConnectionInfo) async throws -> WireResponse {
        switch (request.method, request.path) {
        case ("POST", WireRoute.pairToken):
            let message = try WireCodec.decode(PairingWire.TokenRequest.self, from: request.body).message()
            return try .ok(PairingWire.Exchange(try await requests.pairWithToken(message, from: peer)))
        case ("POST", WireRoute.pairCodeParameters):
            return try .ok(PairingWire.CodeParameters(try await requests.codeParameters(from: peer)))
        case ("POST", WireRoute.pairCodeShare):
            let message = try WireCodec.decode(PairingWire.CodeShare.self, from: request.body).message
            return try .ok(PairingWire.CodeShareReply(try await requests.codeShare(message, from: peer)))
        case ("POST", WireRoute.pairCodeConfirm):
            let message = try WireCodec.decode(PairingWire.CodeConfirm.self, from: request.body).message
            return try .ok(PairingWire.Exchange(try await requests.codeConfirm(message, from: peer)))
        case ("POST", WireRoute.pairFinish):
            let message = try WireCodec.decode(PairingWire.Finish.self, from: request.body)
            try await requests.finishPairing(PairingMessage.Finish(clientCertificate: message.clientCertificate), from: peer)
            return try .ok(PairingWire.Done(paired: true))
        case ("GET", WireRoute.status):
            return try .ok(try await requests.status(from: peer))
        case ("GET", WireRoute.healthTypes):
            // Older peers read this list with the 31 schema-1 names only.
            let shared = try await requests.status(from: peer).sharedTypes
            return try .ok(SampleQueryString.schema(request.query) >= 2 ? shared : shared.filter(HealthDataType.schemaOne.contains))
        case ("GET", WireRoute.healthData):
            return try await page(.samples(try SampleQueryString.query(from: request.query)), from: peer)
        case ("GET", WireRoute.healthChanges):
            guard let after = Int64(request.query["after"] ?? "0"), after >= 0,
                  let limit = Int(request.query["limit"] ?? "1000"),
                  let wait = Int(request.query["wait_ms"] ?? "0"), wait >= 0 else {
                throw HealthSyncError(.invalidArgument, "after, limit and wait_ms must be whole numbers")
            }
            let bounded = min(Duration.milliseconds(wait), SampleChanges.maxWait)
            return try await page(.changes(after: after, limit: limit, schema: SampleQueryString.schema(request.query)),
                                  wait: bounded, from: peer)
        case ("POST", WireRoute.renewCertificate):
            let message = try WireCodec.decode(PeerWire.RenewalRequest.self, from: request.body)
            let reply = try await requests.renewCertificate(
                RenewalRequest(csr: message.csr, clientTime: message.timeMs.map { Date(millisecondsSince1970: $0) }), from: peer)
            return try .ok(PeerWire.RenewalReply(clientCertificate: reply.certificate,
                                                 timeMs: reply.serverTime?.millisecondsSince1970))
        case ("POST", WireRoute.unpair):
            try await requests.unpair(from: peer)
            return try .ok(PairingWire.Done(paired: false))
        default:
            throw HealthSyncError(.protocolError, "No route \(request.method.prefix(16)) \(request.path.prefix(128))")
        }
    }
}
