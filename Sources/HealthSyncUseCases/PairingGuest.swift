import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The joining device's side of pairing: by QR payload (token) or by code
/// (SPAKE2+). Ends with each side holding a client certificate from the
/// other's CA and the other on its allow-list.
public struct PairingGuest: Sendable {
    let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// Joins with the QR payload text. The sharing device must present the
    /// CA whose fingerprint the payload pins, or nothing is sent.
    public func join(payloadText: String) async throws -> PeerRecord {
        let payload = try PairingPayload(parsing: payloadText)
        guard deps.clock.now() <= payload.expiresAt else { throw HealthSyncError(.pairingTokenExpired) }
        let loaded = try IdentityService(deps).ensureIdentity()
        // The payload's addresses in turn: the first that answers at all is
        // the one (the pinned CA decides whether it is the right device).
        var failure: (any Error)?
        for endpoint in payload.endpoints {
            let link: any PeerLink
            do {
                link = try await deps.transport.connect(to: endpoint, credentials: nil,
                                                        anchor: .fingerprint(payload.certificateFingerprint),
                                                        timeout: deps.settings.timeout)
            } catch let error as HealthSyncError where [.deviceNotFound, .timedOut].contains(error.code) {
                failure = failure ?? error
                continue
            }
            return try await closing(link) { link in try await joinWithToken(payload, at: .direct(endpoint), over: link, loaded: loaded) }
        }
        // No address answered: through the relay the sharing device named.
        // The relay can only pass bytes along; the pinned CA is checked as above.
        if let route = payload.relayRoute {
            let link: any PeerLink
            do {
                link = try await deps.connect(through: route, as: loaded,
                                                        credentials: nil, anchor: .fingerprint(payload.certificateFingerprint),
                                                        timeout: deps.settings.timeout)
            } catch let error as HealthSyncError where [.deviceNotFound, .timedOut].contains(error.code) {
                throw HealthSyncError(failure == nil ? error.code : .deviceNotFound,
                                      "The sharing device answered neither at \(payload.endpoints.map(\.description).joined(separator: ", ")) nor through \(route)",
                                      hint: "Is `healthsync pair` (or the daemon) still running there, with the relay in reach.relays?",
                                      cause: error.message)
            }
            return try await closing(link) { link in try await joinWithToken(payload, at: .relay(route), over: link, loaded: loaded) }
        }
        throw failure ?? HealthSyncError(.deviceNotFound)
    }

    private func joinWithToken(_ payload: PairingPayload, at path: PeerPath, over link: any PeerLink,
                               loaded: LoadedIdentity) async throws -> PeerRecord {
        let presented = link.info.peer
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
        let proof = PeerCredentials.tokenProof(payload.tokenBytes, binding: link.info.channelBinding, byServer: false, deps: deps)
        let request = PairingMessage.TokenRequest(proof: proof, joiner: try joiner(loaded))
        let exchange = try await link.pairWithToken(request, timeout: deps.settings.timeout)
        return try await complete(exchange, pinned: anchor, link: link, path: path, loaded: loaded)
    }

    /// Joins with the bare 32-character token (no QR payload) of the device
    /// at `host` (else `server.host`). Nothing pins its CA, so the device
    /// must prove it issued the token over this TLS connection, as the
    /// joiner proves it holds it: a device in the middle knows neither.
    public func join(bareToken text: String, host: String?) async throws -> PeerRecord {
        let trimmed = String(text.filter { !$0.isWhitespace })
        guard trimmed.count == 32, let token = Hex.decode(trimmed) else {
            throw HealthSyncError(.invalidQRPayload, "A pairing token has 32 hexadecimal characters; this one has \(trimmed.count)",
                                  hint: "Paste the whole QR payload (`healthsync pair --token '{…}'`), or the 32-character token with --host, or use the 6-digit code.")
        }
        let endpoint = try PeerConnector(deps: deps).sharingEndpoint(host)
        let loaded = try IdentityService(deps).ensureIdentity()
        let link = try await deps.transport.connect(to: endpoint, credentials: nil, anchor: .none, timeout: deps.settings.timeout)
        return try await closing(link) { link in
            let binding = link.info.channelBinding
            let proof = PeerCredentials.tokenProof(token, binding: binding, byServer: false, deps: deps)
            let exchange = try await link.pairWithToken(PairingMessage.TokenRequest(proof: proof, joiner: try joiner(loaded)),
                                                        timeout: deps.settings.timeout)
            let expected = PeerCredentials.tokenProof(token, binding: binding, byServer: true, deps: deps)
            guard let serverProof = exchange.serverProof, ConstantTime.equals(serverProof, expected) else {
                throw HealthSyncError(.fingerprintMismatch, "The device at \(endpoint) did not prove that it issued this token",
                                      hint: "Someone may be intercepting the connection; use the QR code or the 6-digit code.")
            }
            let ca = try PeerCredentials.peerCA(exchange.caCertificate, deps: deps)
            return try await complete(exchange, pinned: ca, link: link, path: .direct(endpoint), loaded: loaded)
        }
    }

    /// `scan` without an image: the QR payload on the clipboard when it
    /// holds one, else the first line the user types.
    public func joinScanned(prompt: any UserPrompt) async throws -> PeerRecord {
        if let copied = await deps.clipboard.text(), (try? PairingPayload(parsing: copied)) != nil {
            return try await join(payloadText: copied)
        }
        return try await join(payloadText: await prompt.line() ?? "")
    }

    /// Joins with a 6-digit code the device at `host` (else `server.host`)
    /// shows; with neither, the devices on this network that say a pairing
    /// session is open (discovery's flag, never the code) are tried in turn:
    /// SPAKE2+ tells the right one, and a wrong one only counts one try.
    public func join(code: String, host: String?) async throws -> PeerRecord {
        if let remote = PairingCode.splitRemote(code) {
            return try await join(digits: remote.digits, meetingAt: remote.nameplate, host: host)
        }
        guard host == nil && deps.settings.serverEndpoint == nil else {
            return try await join(code: code, endpoint: try PeerConnector(deps: deps).sharingEndpoint(host))
        }
        guard PairingCode.isWellFormed(code) else { throw HealthSyncError(.invalidPairingCode, "A pairing code has 6 digits") }
        let ownID = try IdentityService(deps).ensureIdentity().deviceID
        let candidates = try await deps.discovery.probe(deps.discoveryTargets, timeoutMilliseconds: 1500)
            .filter { $0.announcement.pairing == true && $0.announcement.deviceID != ownID }
        var last = HealthSyncError(.deviceNotFound, "No device with an open pairing session answered on this network",
                                   hint: "Run `healthsync pair` or `healthsync share` on the sharing device, or pass --host with the address it shows.")
        for candidate in candidates.prefix(8) {
            do {
                return try await join(code: code, endpoint: Endpoint(host: candidate.host, port: candidate.announcement.port))
            } catch let error as HealthSyncError
                where [.invalidPairingCode, .pairingTokenExpired, .deviceNotFound, .timedOut, .pairingBusy, .pairingRateLimited]
                    .contains(error.code) {
                // Not this one (or not now): the next candidate may be the device that shows the code.
                last = error
            }
        }
        throw last
    }

    /// Joins with a 6-digit code: SPAKE2+ bound to this connection proves
    /// both sides know the code; the sharing user then accepts.
    public func join(code: String, endpoint: Endpoint) async throws -> PeerRecord {
        guard PairingCode.isWellFormed(code) else {
            throw HealthSyncError(.invalidPairingCode, "A pairing code has 6 digits")
        }
        let loaded = try IdentityService(deps).ensureIdentity()
        let link = try await deps.transport.connect(to: endpoint, credentials: nil, anchor: .none,
                                                    timeout: deps.settings.timeout)
        return try await closing(link) { link in try await joinWithCode(code, over: link, path: .direct(endpoint), loaded: loaded) }
    }

    /// SPAKE2+ over `link` with the six digits `code`, then the exchange.
    func joinWithCode(_ code: String, over link: any PeerLink, path: PeerPath,
                      loaded: LoadedIdentity) async throws -> PeerRecord {
        let binding = link.info.channelBinding
        let parameters = try await link.codeParameters(timeout: deps.settings.timeout)
        // Nobody is authenticated yet: a server must not make us burn seconds of CPU.
        guard PairingMessage.CodeParameters.allowedIterations.contains(parameters.iterations),
              (8...64).contains(parameters.salt.count) else {
            throw HealthSyncError(.protocolError,
                                  "The sharing device asked for \(parameters.iterations) PBKDF2 iterations with a \(parameters.salt.count)-byte salt",
                                  hint: "At most \(PairingMessage.CodeParameters.allowedIterations.upperBound) are accepted; is this a HealthSync device?")
        }
        let (w0, w1) = try deps.pake.deriveScalars(code: code, salt: parameters.salt, iterations: parameters.iterations)
        let x = SecretBytes(try deps.entropy.bytes(40))
        let shareP = try deps.pake.proverShare(w0: w0, x: x)
        let reply = try await link.codeShare(PairingMessage.CodeShare(shareP: shareP, name: deps.deviceName),
                                             timeout: deps.settings.timeout)
        let shareV = reply.shareV, confirmV = reply.confirmV
        let keys = try deps.pake.proverFinish(identities: PeerCredentials.spakeIdentities(binding: binding), w0: w0, w1: w1,
                                              x: x, shareP: shareP, shareV: shareV)
        // A wrong code and a relay in the middle look the same here: the
        // sharing device's confirmation does not verify.
        guard ConstantTime.equals(confirmV, keys.confirmV) else {
            // Tell the sharing device at once, so its user sees the failed
            // attempt: a confirmation of zeros, which reveals nothing.
            let abandon = PairingMessage.CodeConfirm(confirmP: [UInt8](repeating: 0, count: 32), joiner: try joiner(loaded))
            _ = try? await link.codeConfirm(abandon, timeout: deps.settings.timeout)
            throw HealthSyncError(.invalidPairingCode)
        }
        deps.bus.publish(.pairingCheckNumber(CheckNumber.from(
            deps.crypto.hmacSHA256(key: keys.sharedKey.bytes, data: PairingSession.checkNumberLabel))))
        let confirm = PairingMessage.CodeConfirm(confirmP: keys.confirmP, joiner: try joiner(loaded))
        // Answered once the sharing user decides: a person's time, not a network's.
        let exchange = try await link.codeConfirm(confirm, timeout: deps.settings.decisionTimeout)
        // The connection is authenticated by SPAKE2+: pin the CA it delivered,
        // and check the TLS server certificate chains to it.
        let ca = try PeerCredentials.peerCA(exchange.caCertificate, deps: deps)
        return try await complete(exchange, pinned: ca, link: link, path: path, loaded: loaded)
    }

    private func joiner(_ loaded: LoadedIdentity) throws -> PairingMessage.Joiner {
        PairingMessage.Joiner(
            name: deps.deviceName,
            csr: try deps.crypto.makeSigningRequest(key: loaded.identity.deviceKey, commonName: CertificatePolicy.clientCommonName),
            caCertificate: loaded.caCertificate.pem)
    }

    /// Checks what the sharing device sent, issues its client certificate,
    /// and stores it as paired.
    private func complete(_ exchange: PairingMessage.Exchange, pinned ca: Certificate, link: any PeerLink,
                          path: PeerPath, loaded: LoadedIdentity) async throws -> PeerRecord {
        guard exchange.caCertificate == ca.pem || (try? deps.crypto.parseCertificate(pem: exchange.caCertificate))?.fingerprint == ca.fingerprint,
              let server = link.info.peer.leaf,
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
        let now = deps.clock.now()
        var record = PeerRecord(
            name: Printable.clean(exchange.name, maxLength: 64), deviceID: request.deviceID, role: .sharing,
            caFingerprint: ca.fingerprint, caCertificatePEM: ca.pem, clientCertificatePEM: clientCertificate.pem,
            serverCertificatePEM: server.pem, issuedSerials: [issued.serial], lastSeen: now, pairedAt: now)
        record.learn(path.address, from: .pairing, at: now, succeeded: true)
        // Saved before the sharing device commits, so that an interruption
        // after its commit never leaves it paired alone with us unaware.
        try deps.keyStore.savePeer(record)
        do {
            try await link.finishPairing(PairingMessage.Finish(clientCertificate: issued.pem), timeout: deps.settings.timeout)
        } catch let error as HealthSyncError where ![.timedOut, .deviceNotFound, .protocolError].contains(error.code) {
            // The sharing device answered no: it holds nothing, neither do we.
            _ = try? deps.keyStore.removePeer(record.deviceID)
            throw error
        }
        deps.bus.publish(.paired(name: record.name, deviceID: record.deviceID))
        return record
    }
}
