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

    /// Starts making the answer for the page after `cursor`, when there is one (see `PagePrefetch`).
    private func makeAhead(after cursor: SampleCursor?, of query: SampleQuery, for peer: ConnectionInfo) {
        guard let cursor, !peer.channelBinding.isEmpty, let next = try? query.after(cursor) else { return }
        let requests = self.requests
        prefetch.start(next, on: peer.channelBinding) {
            do {
                let page = try await requests.samples(next, from: peer)
                return (try PeerWire.encode(page), page.nextCursor)
            } catch {
                return (WireResponse(error: HealthSyncError.wrap(error, as: .protocolError, "The request failed")), nil)
            }
        }
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
            let query = try SampleQueryString.query(from: request.query)
            if let ahead = prefetch.take(query, on: peer.channelBinding) {
                // Made before this request came: trust is checked again now (an unpairing in between refuses it).
                _ = try await requests.status(from: peer)
                let answer = await ahead.value
                makeAhead(after: answer.next, of: query, for: peer)
                return answer.response
            }
            let page = try await requests.samples(query, from: peer)
            makeAhead(after: page.nextCursor, of: query, for: peer)
            return try PeerWire.encode(page)
        case ("GET", WireRoute.healthChanges):
            guard let after = Int64(request.query["after"] ?? "0"), after >= 0,
                  let limit = Int(request.query["limit"] ?? "1000"),
                  let wait = Int(request.query["wait_ms"] ?? "0"), wait >= 0 else {
                throw HealthSyncError(.invalidArgument, "after, limit and wait_ms must be whole numbers")
            }
            let bounded = min(Duration.milliseconds(wait), SampleChanges.maxWait)
            return try PeerWire.encode(try await requests.changes(after: after, limit: limit, wait: bounded,
                                                                  schema: SampleQueryString.schema(request.query), from: peer))
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
