import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// What a device answers to other devices: the `pair/*` routes for anyone,
/// everything else only for paired devices that pass the trust policy.
public struct PeerService: Sendable {
    private let deps: Dependencies
    public let pairing: PairingHost

    public init(_ deps: Dependencies, pairing: PairingHost) {
        self.deps = deps
        self.pairing = pairing
    }

    /// Starts listening for peers on `endpoint` with this device's server certificate.
    public func listen(on endpoint: Endpoint) async throws -> any TransportListener {
        let loaded = try IdentityService(deps).ensureIdentity()
        let service = self
        // The identity presented by this listener is the one every request
        // is judged against: loaded once here, not per request.
        return try await deps.transport.listen(on: endpoint, credentials: PeerCredentials.server(loaded),
                                               clientAnchor: loaded.caCertificate) { info, request in
            await service.handle(info, request, identity: loaded)
        }
    }

    /// Answers one request; every failure becomes an error response.
    func handle(_ info: ConnectionInfo, _ request: WireRequest, identity: LoadedIdentity) async -> WireResponse {
        do {
            return try await route(info, request, identity: identity)
        } catch {
            let failure = HealthSyncError.wrap(error, as: .protocolError, "The request failed")
            return WireResponse(error: failure)
        }
    }

    private func route(_ info: ConnectionInfo, _ request: WireRequest, identity: LoadedIdentity) async throws -> WireResponse {
        switch (request.method, request.path) {
        case ("POST", WireRoute.pairToken):
            let message = try WireCodec.decode(PairingMessage.TokenRequest.self, from: request.body)
            return try ok(await pairing.joinWithToken(message, info: info))
        case ("POST", WireRoute.pairCodeParameters):
            return try ok(await pairing.codeParameters())
        case ("POST", WireRoute.pairCodeShare):
            let message = try WireCodec.decode(PairingMessage.CodeShare.self, from: request.body)
            return try ok(await pairing.codeShare(message, info: info))
        case ("POST", WireRoute.pairCodeConfirm):
            let message = try WireCodec.decode(PairingMessage.CodeConfirm.self, from: request.body)
            return try ok(await pairing.codeConfirm(message, info: info))
        case ("POST", WireRoute.pairFinish):
            let message = try WireCodec.decode(PairingMessage.Finish.self, from: request.body)
            return try ok(await pairing.finish(message, info: info))
        case ("GET", WireRoute.status):
            _ = try authorize(info, identity: identity)
            return try ok(PeerStatusMessage(name: deps.deviceName, deviceID: identity.deviceID, version: deps.version,
                                            sharedTypes: deps.sharedTypes))
        case ("GET", WireRoute.healthTypes):
            _ = try authorize(info, identity: identity)
            return try ok(deps.sharedTypes)
        case ("GET", WireRoute.healthData):
            let peer = try authorize(info, identity: identity)
            let page = try deps.sampleStore.query(try SampleRequest.query(from: request.query, shared: deps.sharedTypes))
            deps.bus.publish(.samplesServed(to: peer.deviceID, count: page.samples.count))
            let message = SamplesPageMessage(samples: page.samples, nextCursor: page.nextCursor?.token)
            if let body = SampleJSON.encode(message) { return WireResponse(status: 200, body: body) }
            return try ok(message)
        case ("POST", WireRoute.renewCertificate):
            let peer = try authorize(info, identity: identity)
            let message = try WireCodec.decode(RenewalRequest.self, from: request.body)
            return try ok(try CertificateRenewalService(deps).renew(for: peer, presented: info.peer.leaf, csr: message.csr,
                                                                    identity: identity))
        case ("GET", WireRoute.healthChanges):
            let peer = try authorize(info, identity: identity)
            guard let after = Int64(request.query["after"] ?? "0"), after >= 0,
                  let limit = Int(request.query["limit"] ?? "1000") else {
                throw HealthSyncError(.invalidArgument, "after and limit must be whole numbers")
            }
            let changes = try deps.sampleStore.changes(after: after, types: deps.sharedTypes, limit: limit)
            deps.bus.publish(.samplesServed(to: peer.deviceID, count: changes.samples.count))
            return try ok(changes)
        case ("POST", WireRoute.unpair):
            let peer = try authorize(info, identity: identity)
            try UnpairService(deps).forget(peer)
            return try ok(PairingMessage.Done(paired: false))
        default:
            throw HealthSyncError(.protocolError, "No route \(request.method) \(request.path)")
        }
    }

    /// The trust policy for an incoming client: our CA, our allow-list, our
    /// revocations, the current time.
    private func authorize(_ info: ConnectionInfo, identity: LoadedIdentity) throws -> PeerRecord {
        let peers = try deps.keyStore.peers()
        let context = TrustContext(anchorFingerprint: identity.caCertificate.fingerprint,
                                   allowList: Dictionary(uniqueKeysWithValues: peers.map { ($0.deviceID, $0) }),
                                   revokedSerials: Set(try deps.keyStore.revokedCertificates().map(\.serial)))
        switch TrustPolicy.evaluate(info.peer, in: context, at: deps.clock.now()) {
        case .trusted(let peer): return peer
        case let refused: throw refused.error!
        }
    }

    private func ok<T: Encodable>(_ value: T) throws -> WireResponse {
        WireResponse(status: 200, body: try WireCodec.encode(value))
    }
}
