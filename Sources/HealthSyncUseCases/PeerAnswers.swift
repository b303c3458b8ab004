import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Starts listening for other devices with this device's server certificate.
public struct PeerService: Sendable {
    private let deps: Dependencies
    public let pairing: PairingHost

    public init(_ deps: Dependencies, pairing: PairingHost) {
        self.deps = deps
        self.pairing = pairing
    }

    /// Listens on `endpoint`; requests are answered by `PeerAnswers`.
    public func listen(on endpoint: Endpoint) async throws -> any TransportListener {
        let loaded = try IdentityService(deps).ensureIdentity()
        // The identity presented by this listener is the one every request
        // is judged against: loaded once here, not per request.
        return try await deps.transport.listen(on: endpoint, credentials: PeerCredentials.server(loaded),
                                               clientAnchor: loaded.caCertificate,
                                               serving: PeerAnswers(deps, pairing: pairing, identity: loaded))
    }
}

extension PeerService {
    /// Joins `relay` and answers relayed sessions as `listen` answers direct ones.
    public func join(_ relay: ReachServer) async throws -> any RelayMembership {
        let loaded = try IdentityService(deps).ensureIdentity()
        return try await deps.transport.join(relay, identity: PeerCredentials.relayIdentity(loaded),
                                             credentials: PeerCredentials.server(loaded), clientAnchor: loaded.caCertificate,
                                             serving: PeerAnswers(deps, pairing: pairing, identity: loaded))
    }
}

/// What a device answers to other devices: pairing steps for anyone (the
/// pairing host decides), everything else only for paired devices that
/// pass the trust policy.
struct PeerAnswers: PeerRequests {
    private let deps: Dependencies
    private let pairing: PairingHost
    private let identity: LoadedIdentity
    /// Sharing the whole catalogue (`share.types: all`, the default) shares
    /// every type, those newer than the catalogue that an import brought too.
    private let sharesEverything: Bool

    init(_ deps: Dependencies, pairing: PairingHost, identity: LoadedIdentity) {
        self.sharesEverything = Set(deps.sharedTypes).isSuperset(of: HealthDataType.allCases)
        self.deps = deps
        self.pairing = pairing
        self.identity = identity
    }

    var admitsClientsWithoutCertificate: Bool { pairing.isOpen }

    func handshakeRefused(from address: String, reason: HealthSyncError) {
        deps.bus.publish(.requestRefused(from: address, error: reason))
    }

    func pairWithToken(_ request: PairingMessage.TokenRequest, from peer: ConnectionInfo) async throws -> PairingMessage.Exchange {
        try await pairing.joinWithToken(request, info: peer)
    }

    func codeParameters(from peer: ConnectionInfo) async throws -> PairingMessage.CodeParameters {
        try await pairing.codeParameters(info: peer)
    }

    func codeShare(_ share: PairingMessage.CodeShare, from peer: ConnectionInfo) async throws -> PairingMessage.CodeShareReply {
        try await pairing.codeShare(share, info: peer)
    }

    func codeConfirm(_ confirm: PairingMessage.CodeConfirm, from peer: ConnectionInfo) async throws -> PairingMessage.Exchange {
        try await pairing.codeConfirm(confirm, info: peer)
    }

    func finishPairing(_ finish: PairingMessage.Finish, from peer: ConnectionInfo) async throws {
        try await pairing.finish(finish, info: peer)
    }

    func status(from peer: ConnectionInfo) async throws -> PeerStatus {
        _ = try authorize(peer)
        return PeerStatus(name: deps.deviceName, deviceID: identity.deviceID, version: deps.version,
                          sharedTypes: deps.sharedTypes, time: deps.clock.now())
    }

    func samples(_ query: SampleQuery, from peer: ConnectionInfo) async throws -> SamplePage {
        let record = try authorize(peer)
        let types = query.types.filter { type in
            (query.schema >= 2 || HealthDataType.schemaOne.contains(type)) && (sharesEverything || deps.sharedTypes.contains(type))
        }
        guard !types.isEmpty else {
            throw HealthSyncError(.invalidArgument, "None of the requested types is shared by this device",
                                  hint: "Ask the sharing device which types it shares (`healthsync types` there).")
        }
        var page = try deps.sampleStore.query(try SampleQuery(types: types, since: query.since, until: query.until,
                                                              limit: query.limit, cursor: query.cursor,
                                                              newestFirst: query.newestFirst))
        if query.schema < 2 { page = SamplePage(samples: page.samples.map(\.schemaOne), nextCursor: page.nextCursor) }
        deps.bus.publish(.samplesServed(to: record.deviceID, count: page.samples.count))
        return page
    }

    func changes(after: Int64, limit: Int, wait: Duration, schema: Int, from peer: ConnectionInfo) async throws -> SampleChanges {
        let record = try authorize(peer)
        // The store may be written by another process (`samples import`), so
        // a long poll looks at it again every quarter second: a local query
        // on the sequence index, never a network round trip.
        let deadline = ContinuousClock.now + min(wait, SampleChanges.maxWait)
        let types: [HealthDataType]? = schema < 2 ? deps.sharedTypes.filter(HealthDataType.schemaOne.contains)
            : sharesEverything ? nil : deps.sharedTypes
        while true {
            var changes = try deps.sampleStore.changes(after: after, types: types, limit: limit)
            if schema < 2 { changes = SampleChanges(samples: changes.samples.map(\.schemaOne), last: changes.last, more: changes.more) }
            if !changes.samples.isEmpty || changes.more || ContinuousClock.now >= deadline || Task.isCancelled {
                if !changes.samples.isEmpty { deps.bus.publish(.samplesServed(to: record.deviceID, count: changes.samples.count)) }
                return changes
            }
            try? await Task.sleep(for: min(.milliseconds(250), deadline - ContinuousClock.now))
        }
    }

    func renewCertificate(_ request: RenewalRequest, from peer: ConnectionInfo) async throws -> RenewalReply {
        let record = try authorize(peer)
        let pem = try CertificateRenewalService(deps).renew(for: record, presented: peer.peer.leaf, request: request,
                                                            identity: identity)
        return RenewalReply(certificate: pem, serverTime: deps.clock.now())
    }

    func unpair(from peer: ConnectionInfo) async throws {
        try UnpairService(deps).forget(try authorize(peer))
    }

    /// The trust policy for an incoming client: our CA, our allow-list, our
    /// revocations, the current time.
    private func authorize(_ info: ConnectionInfo) throws -> PeerRecord {
        let peers = try deps.keyStore.peers()
        let context = TrustContext(anchorFingerprint: identity.caCertificate.fingerprint,
                                   allowList: Dictionary(uniqueKeysWithValues: peers.map { ($0.deviceID, $0) }),
                                   revokedSerials: Set(try deps.keyStore.revokedCertificates().map(\.serial)))
        let decision = TrustPolicy.evaluate(info.peer, in: context, at: deps.clock.now())
        if case .trusted(let peer) = decision {
            deps.bus.publish(.requestAccepted(from: info.remoteAddress, deviceID: peer.deviceID))
            return peer
        }
        let error = decision.error ?? HealthSyncError(.notPaired)
        deps.bus.publish(.requestRefused(from: info.remoteAddress, error: error))
        throw error
    }
}
