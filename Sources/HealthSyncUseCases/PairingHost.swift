import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The sharing device's side of pairing (DESIGN §4): one session at a
/// time, a 6-digit code and a 128-bit token that expire, the QR token path
/// and the SPAKE2+ code path, the sharing user's decision, and backoff
/// after failed codes.
public actor PairingHost {
    private struct Joining {
        let binding: [UInt8]
        let name: String
        let deviceID: DeviceID
        let ca: Certificate
        let issuedSerial: String
        let address: String
    }

    private struct CodeAttempt {
        let binding: [UInt8]
        let name: String
        let keys: SpakeKeys
    }

    private struct Session {
        let code: String
        let token: [UInt8]
        let expiresAt: Date
        let salt: [UInt8]
        var attempt: CodeAttempt?
        var pending: (name: String, deviceID: DeviceID, check: String)?
        var decision: CheckedContinuation<Bool, Never>?
        var joining: Joining?
    }

    private let deps: Dependencies
    private var session: Session?
    private var backoff: PairingBackoff
    /// How the latest session ended (nil while one runs or before the first).
    public private(set) var outcome: PairingOutcome?

    public init(_ deps: Dependencies) {
        self.deps = deps
        backoff = PairingBackoff(maxFailures: deps.settings.maxFailedCodes)
    }

    // MARK: The sharing user's actions

    /// Starts a session advertised at `endpoint`: `PAIRING_BUSY` while one
    /// runs, `PAIRING_RATE_LIMITED` while backing off after failed codes.
    public func initiate(advertising endpoint: Endpoint) throws -> PairingInvitation {
        let now = deps.clock.now()
        expireIfNeeded(at: now)
        if session != nil { throw HealthSyncError(.pairingBusy) }
        if let allowed = backoff.nextAllowed(at: now) {
            let seconds = Int(allowed.timeIntervalSince(now).rounded(.up))
            throw HealthSyncError(.pairingRateLimited, "Too many failed pairing codes; try again in \(seconds) seconds")
        }
        let loaded = try IdentityService(deps).ensureIdentity()
        let code = try PairingCode.make { try deps.entropy.bytes(4) }
        let token = try deps.entropy.bytes(16)
        let expiresAt = now.addingTimeInterval(TimeInterval(deps.settings.codeTTLSeconds))
        session = Session(code: code, token: token, expiresAt: expiresAt, salt: try deps.entropy.bytes(16))
        outcome = nil
        deps.bus.publish(.pairingCodeIssued(code: code, expiresAt: expiresAt))
        let payload = PairingPayload(endpoint: endpoint, code: code, token: token, expiresAt: expiresAt,
                                     caFingerprint: loaded.caCertificate.fingerprint)
        return PairingInvitation(code: code, payload: payload, expiresAt: expiresAt)
    }

    /// Ends the session; a joiner waiting for a decision is rejected.
    public func cancel() {
        guard let current = session else { return }
        current.decision?.resume(returning: false)
        session = nil
        outcome = .failed(HealthSyncError(.pairingRejected, "The pairing session was cancelled"))
        deps.bus.publish(.pairingCancelled)
    }

    /// The sharing user's answer to a pending request.
    public func respond(accept: Bool) throws {
        expireIfNeeded(at: deps.clock.now())
        guard let decision = session?.decision else {
            throw HealthSyncError(.invalidArgument, "No pairing request is waiting for an answer")
        }
        session?.decision = nil
        decision.resume(returning: accept)
    }

    public func state() -> PairingState {
        expireIfNeeded(at: deps.clock.now())
        guard let session else { return .idle }
        if let joining = session.joining { return .exchanging(name: joining.name) }
        if let pending = session.pending {
            return .pending(name: pending.name, deviceID: pending.deviceID, checkNumber: pending.check)
        }
        return .waiting(code: session.code, expiresAt: session.expiresAt)
    }

    /// Ends an expired session (a daemon calls this on a timer); a joiner
    /// waiting for a decision is told the code expired.
    public func expireIfNeeded(at now: Date) {
        guard let current = session, now > current.expiresAt else { return }
        current.decision?.resume(returning: false)
        session = nil
        outcome = .failed(HealthSyncError(.pairingTokenExpired))
    }

    // MARK: The QR token path

    func joinWithToken(_ request: PairingMessage.TokenRequest, info: ConnectionInfo) throws -> PairingMessage.Exchange {
        var current = try activeSession()
        guard current.attempt == nil, current.joining == nil else { throw HealthSyncError(.pairingBusy) }
        let expected = deps.crypto.hmacSHA256(key: current.token, data: PeerCredentials.tokenProofLabel + info.channelBinding)
        guard ConstantTime.equals(request.proof, expected) else {
            throw HealthSyncError(.pairingTokenInvalid)
        }
        let exchange = try makeExchange(for: request.joiner, session: &current, info: info)
        session = current
        return exchange
    }

    // MARK: The SPAKE2+ code path

    func codeParameters() throws -> PairingMessage.CodeParameters {
        let current = try activeSession()
        guard current.joining == nil, current.pending == nil else { throw HealthSyncError(.pairingBusy) }
        guard current.attempt == nil else {
            // The code's one attempt was used and never confirmed.
            fail(at: deps.clock.now())
            throw HealthSyncError(.invalidPairingCode, "The code was already tried once and is now destroyed")
        }
        return PairingMessage.CodeParameters(salt: current.salt, iterations: deps.settings.pbkdf2Iterations)
    }

    /// Each code allows one attempt: a second share, a bad share or a bad
    /// confirmation destroys the code. The failure is counted when the
    /// share arrives and forgiven only by a valid confirmation, so a joiner
    /// that gives up after seeing a wrong confirmation still used its try.
    func codeShare(_ request: PairingMessage.CodeShare, info: ConnectionInfo) throws -> PairingMessage.CodeShareReply {
        var current = try activeSession()
        guard current.joining == nil, current.pending == nil else { throw HealthSyncError(.pairingBusy) }
        let now = deps.clock.now()
        guard current.attempt == nil else {
            fail(at: now)
            throw HealthSyncError(.invalidPairingCode, "The code was already tried once and is now destroyed")
        }
        backoff.recordFailure(at: now)
        do {
            let shareP = request.shareP
            let (w0, w1) = try deps.pake.deriveScalars(code: current.code, salt: current.salt,
                                                       iterations: deps.settings.pbkdf2Iterations)
            let (shareV, keys) = try deps.pake.verifierRespond(
                identities: PeerCredentials.spakeIdentities(binding: info.channelBinding), w0: w0,
                registration: try deps.pake.registrationRecord(w1: w1), y: SecretBytes(try deps.entropy.bytes(40)),
                shareP: shareP)
            current.attempt = CodeAttempt(binding: info.channelBinding, name: String(request.name.prefix(64)), keys: keys)
            session = current
            return PairingMessage.CodeShareReply(shareV: shareV, confirmV: keys.confirmV)
        } catch {
            session = nil
            let refusal = HealthSyncError.wrap(error, as: .invalidPairingCode, "The pairing share was refused")
            outcome = .failed(refusal)
            throw refusal
        }
    }

    /// Checks the joiner's confirmation, asks the sharing user, and on
    /// acceptance issues the joiner its certificate.
    func codeConfirm(_ request: PairingMessage.CodeConfirm, info: ConnectionInfo) async throws -> PairingMessage.Exchange {
        var current = try activeSession()
        guard let attempt = current.attempt, attempt.binding == info.channelBinding, current.pending == nil else {
            throw HealthSyncError(.invalidPairingCode, "No code attempt is under way on this connection")
        }
        guard ConstantTime.equals(request.confirmP, attempt.keys.confirmP) else {
            session = nil
            outcome = .failed(HealthSyncError(.invalidPairingCode))
            deps.bus.publish(.failed(HealthSyncError(.invalidPairingCode)))
            throw HealthSyncError(.invalidPairingCode)
        }
        backoff.forgiveLatestFailure()
        let requestInfo = try deps.crypto.inspectSigningRequest(request.joiner.csr)
        let check = CheckNumber.from(deps.crypto.hmacSHA256(key: attempt.keys.sharedKey.bytes,
                                                             data: PeerCredentials.checkNumberLabel))
        current.pending = (attempt.name, requestInfo.deviceID, check)
        session = current
        deps.bus.publish(.pairingRequestPending(name: attempt.name, deviceID: requestInfo.deviceID, checkNumber: check))
        let accepted = await withCheckedContinuation { continuation in
            session?.decision = continuation
        }
        // The session may have been cancelled or have expired while waiting.
        guard accepted, var decided = session, decided.attempt?.binding == info.channelBinding else {
            if session?.attempt?.binding == info.channelBinding {
                session = nil
                outcome = .failed(HealthSyncError(.pairingRejected))
            }
            deps.bus.publish(.pairingRejected(requestInfo.deviceID))
            throw HealthSyncError(.pairingRejected)
        }
        deps.bus.publish(.pairingAccepted(requestInfo.deviceID))
        let exchange = try makeExchange(for: request.joiner, session: &decided, info: info)
        session = decided
        return exchange
    }

    // MARK: Both paths

    /// Stores the joiner as paired once it returns the certificate its CA
    /// issued to us, on the same connection it authenticated.
    func finish(_ request: PairingMessage.Finish, info: ConnectionInfo) throws {
        let current = try activeSession()
        guard let joining = current.joining, joining.binding == info.channelBinding else {
            throw HealthSyncError(.protocolError, "No pairing is being completed on this connection")
        }
        let loaded = try IdentityService(deps).ensureIdentity()
        let issued = try PeerCredentials.checkIssuedToUs(request.clientCertificate, by: joining.ca, deps: deps, loaded: loaded)
        let now = deps.clock.now()
        try deps.keyStore.savePeer(PeerRecord(
            name: joining.name, deviceID: joining.deviceID, role: .joined, caFingerprint: joining.ca.fingerprint,
            caCertificatePEM: joining.ca.pem, clientCertificatePEM: issued.pem, issuedSerials: [joining.issuedSerial],
            lastAddress: nil, lastSeen: now, pairedAt: now))
        session = nil
        outcome = .paired(name: joining.name, deviceID: joining.deviceID)
        deps.bus.publish(.paired(name: joining.name, deviceID: joining.deviceID))
    }

    private func makeExchange(for joiner: PairingMessage.Joiner, session current: inout Session,
                              info: ConnectionInfo) throws -> PairingMessage.Exchange {
        let loaded = try IdentityService(deps).ensureIdentity()
        let ca = try PeerCredentials.peerCA(joiner.caCertificate, deps: deps)
        let request = try deps.crypto.inspectSigningRequest(joiner.csr)
        guard request.deviceID != loaded.deviceID else {
            throw HealthSyncError(.protocolError, "A device cannot pair with itself")
        }
        let issued = try PeerCredentials.issueClientCertificate(csr: joiner.csr, deps: deps, loaded: loaded)
        current.joining = Joining(binding: info.channelBinding, name: String(joiner.name.prefix(64)),
                                  deviceID: request.deviceID, ca: ca, issuedSerial: issued.serial,
                                  address: info.remoteAddress)
        let csr = try deps.crypto.makeSigningRequest(key: loaded.identity.deviceKey,
                                                     commonName: CertificatePolicy.clientCommonName)
        return PairingMessage.Exchange(name: deps.deviceName, clientCertificate: issued.pem,
                                       caCertificate: loaded.caCertificate.pem,
                                       serverCertificate: loaded.serverCertificate.pem, csr: csr)
    }

    /// The current session, or why there is none.
    private func activeSession() throws -> Session {
        let now = deps.clock.now()
        guard let current = session else { throw HealthSyncError(.pairingTokenExpired) }
        guard now <= current.expiresAt else {
            expireIfNeeded(at: now)
            throw HealthSyncError(.pairingTokenExpired)
        }
        return current
    }

    private func fail(at now: Date) {
        backoff.recordFailure(at: now)
        session = nil
        outcome = .failed(HealthSyncError(.invalidPairingCode))
        deps.bus.publish(.failed(HealthSyncError(.invalidPairingCode)))
    }
}
