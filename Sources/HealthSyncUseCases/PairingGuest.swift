import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The joining device's side of pairing: by QR payload (token) or by code
/// (SPAKE2+). Ends with each side holding a client certificate from the
/// other's CA and the other on its allow-list.
public struct PairingGuest: Sendable {
    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// Joins with the QR payload text. The sharing device must present the
    /// CA whose fingerprint the payload pins, or nothing is sent.
    public func join(payloadText: String) async throws -> PeerRecord {
        let payload = try PairingPayload(parsing: payloadText)
        guard deps.clock.now() <= payload.expiresAt else { throw HealthSyncError(.pairingTokenExpired) }
        let loaded = try IdentityService(deps).ensureIdentity()
        let connection = try await deps.transport.connect(
            to: payload.endpoint, credentials: nil, anchor: .fingerprint(payload.certificateFingerprint),
            timeoutMilliseconds: deps.settings.timeoutMilliseconds)
        defer { Task { await connection.close() } }
        let presented = connection.info.peer
        guard let anchor = presented.anchor, anchor.fingerprint == payload.certificateFingerprint else {
            throw HealthSyncError(.fingerprintMismatch)
        }
        if presented.chainCheck != .verified {
            let validity = presented.leaf.map { $0.validity(at: deps.clock.now()) }
            switch validity {
            case .expired?: throw HealthSyncError(.certHasExpired)
            case .notYetValid?: throw HealthSyncError(.certNotYetValid)
            default: throw HealthSyncError(.fingerprintMismatch)
            }
        }
        let proof = deps.crypto.hmacSHA256(key: payload.tokenBytes,
                                           data: PeerCredentials.tokenProofLabel + connection.info.channelBinding)
        let request = PairingMessage.TokenRequest(proof: Hex.encode(proof), joiner: try joiner(loaded))
        let exchange = try await send(request, to: WireRoute.pairToken, on: connection, as: PairingMessage.Exchange.self)
        return try await complete(exchange, pinned: anchor, connection: connection, endpoint: payload.endpoint, loaded: loaded)
    }

    /// Joins with a 6-digit code: SPAKE2+ bound to this connection proves
    /// both sides know the code; the sharing user then accepts.
    public func join(code: String, endpoint: Endpoint) async throws -> PeerRecord {
        guard PairingCode.isWellFormed(code) else {
            throw HealthSyncError(.invalidPairingCode, "A pairing code has 6 digits")
        }
        let loaded = try IdentityService(deps).ensureIdentity()
        let connection = try await deps.transport.connect(to: endpoint, credentials: nil, anchor: .none,
                                                          timeoutMilliseconds: deps.settings.timeoutMilliseconds)
        defer { Task { await connection.close() } }
        let binding = connection.info.channelBinding
        let parameters = try await send(Empty(), to: WireRoute.pairCodeParameters, on: connection,
                                        as: PairingMessage.CodeParameters.self)
        guard let salt = Hex.decode(parameters.salt) else { throw HealthSyncError(.protocolError, "Bad salt") }
        let (w0, w1) = try deps.pake.deriveScalars(code: code, salt: salt, iterations: parameters.iterations)
        let x = SecretBytes(try deps.entropy.bytes(40))
        let shareP = try deps.pake.proverShare(w0: w0, x: x)
        let reply = try await send(PairingMessage.CodeShare(shareP: Hex.encode(shareP), name: deps.deviceName),
                                   to: WireRoute.pairCodeShare, on: connection, as: PairingMessage.CodeShareReply.self)
        guard let shareV = Hex.decode(reply.shareV), let confirmV = Hex.decode(reply.confirmV) else {
            throw HealthSyncError(.protocolError, "Malformed share")
        }
        let keys = try deps.pake.proverFinish(identities: PeerCredentials.spakeIdentities(binding: binding), w0: w0, w1: w1,
                                              x: x, shareP: shareP, shareV: shareV)
        // A wrong code and a relay in the middle look the same here: the
        // sharing device's confirmation does not verify.
        guard ConstantTime.equals(confirmV, keys.confirmV) else { throw HealthSyncError(.invalidPairingCode) }
        deps.bus.publish(.pairingCheckNumber(CheckNumber.from(
            deps.crypto.hmacSHA256(key: keys.sharedKey.bytes, data: PeerCredentials.checkNumberLabel))))
        let confirm = PairingMessage.CodeConfirm(confirmP: Hex.encode(keys.confirmP), joiner: try joiner(loaded))
        let exchange = try await send(confirm, to: WireRoute.pairCodeConfirm, on: connection, as: PairingMessage.Exchange.self)
        // The connection is authenticated by SPAKE2+: pin the CA it delivered,
        // and check the TLS server certificate chains to it.
        let ca = try PeerCredentials.peerCA(exchange.caCertificate, deps: deps)
        return try await complete(exchange, pinned: ca, connection: connection, endpoint: endpoint, loaded: loaded)
    }

    private struct Empty: Codable {}

    private func joiner(_ loaded: LoadedIdentity) throws -> PairingMessage.Joiner {
        PairingMessage.Joiner(
            name: deps.deviceName,
            csr: try deps.crypto.makeSigningRequest(key: loaded.identity.deviceKey, commonName: CertificatePolicy.clientCommonName),
            caCertificate: loaded.caCertificate.pem)
    }

    /// Checks what the sharing device sent, issues its client certificate,
    /// and stores it as paired.
    private func complete(_ exchange: PairingMessage.Exchange, pinned ca: Certificate, connection: any TransportConnection,
                          endpoint: Endpoint, loaded: LoadedIdentity) async throws -> PeerRecord {
        guard exchange.caCertificate == ca.pem || (try? deps.crypto.parseCertificate(pem: exchange.caCertificate))?.fingerprint == ca.fingerprint,
              let server = connection.info.peer.leaf,
              deps.crypto.verify(server, intermediates: [], anchor: ca, role: .server, host: nil, at: deps.clock.now()) == .verified
        else {
            throw HealthSyncError(.fingerprintMismatch, "The sharing device's server certificate is not from the CA it sent")
        }
        let clientCertificate = try PeerCredentials.checkIssuedToUs(exchange.clientCertificate, by: ca, deps: deps, loaded: loaded)
        let request = try deps.crypto.inspectSigningRequest(exchange.csr)
        guard request.deviceID == server.publicKeyID, server.deviceID == server.publicKeyID else {
            throw HealthSyncError(.deviceIDMismatch, "The sharing device asked a certificate for another key")
        }
        let issued = try PeerCredentials.issueClientCertificate(csr: exchange.csr, deps: deps, loaded: loaded)
        _ = try await send(PairingMessage.Finish(clientCertificate: issued.pem), to: WireRoute.pairFinish, on: connection,
                           as: PairingMessage.Done.self)
        let now = deps.clock.now()
        let record = PeerRecord(
            name: String(exchange.name.prefix(64)), deviceID: request.deviceID, role: .sharing,
            caFingerprint: ca.fingerprint, caCertificatePEM: ca.pem, clientCertificatePEM: clientCertificate.pem,
            serverCertificatePEM: server.pem, issuedSerials: [issued.serial], lastAddress: endpoint.description,
            lastSeen: now, pairedAt: now)
        try deps.keyStore.savePeer(record)
        deps.bus.publish(.paired(name: record.name, deviceID: record.deviceID))
        return record
    }

    private func send<Body: Encodable, Reply: Decodable>(_ body: Body, to path: String, on connection: any TransportConnection,
                                                         as reply: Reply.Type) async throws -> Reply {
        let response = try await connection.send(WireRequest(method: "POST", path: path, body: try WireCodec.encode(body)))
        return try WireCodec.result(reply, from: response)
    }
}
