import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// The sharing device's side of pairing: drives the `PairingSession` state
/// machine with the ports — randomness for codes, SPAKE2+ for the code path,
/// the crypto port for proofs and certificates, the keystore for the result
/// — and carries out the effects it returns (events, the joiner waiting for
/// the user's answer).
public actor PairingHost {
    private let deps: Dependencies
    private var session: PairingSession
    /// The joiner waiting for the sharing user's answer, if any.
    private var decision: CheckedContinuation<Bool, Never>?
    /// Whether a session is open, readable without waiting for the actor
    /// (the transport asks on every accepted connection). It may lag behind
    /// an expiry nobody asked about yet: that only admits a certificate-less
    /// client whose pairing request is then refused as expired.
    private nonisolated let open = Atomic<Bool>(false)

    /// Whether a pairing session is open (joiners without a certificate may connect).
    public nonisolated var isOpen: Bool { open.load(ordering: .relaxed) }

    public init(_ deps: Dependencies) {
        self.deps = deps
        session = PairingSession(maxFailedCodes: deps.settings.maxFailedCodes)
    }

    /// How the latest session ended (nil while one runs or before the first).
    public var outcome: PairingOutcome? { session.outcome }

    // MARK: The sharing user's actions

    /// Starts a session advertised at `endpoint`: `PAIRING_BUSY` while one
    /// runs. With `reach.mailbox`, the session also meets joiners beyond
    /// this network: a nameplate is claimed there and the code shown is
    /// `NN-847293` (`meet(at:…)`).
    public func initiate(advertising endpoint: Endpoint, alternates: [String] = []) async throws -> PairingInvitation {
        let now = deps.clock.now()
        // Checked before drawing any randomness for the new session.
        apply(try session.checkCanStart(at: now))
        let loaded = try IdentityService(deps).ensureIdentity()
        let code = try PairingCode.make { try deps.entropy.bytes(4) }
        let token = try deps.entropy.bytes(16)
        let salt = try deps.entropy.bytes(16)
        let expiresAt = now.addingTimeInterval(TimeInterval(deps.settings.codeTTLSeconds))
        apply(try session.start(code: code, token: token, salt: salt, expiresAt: expiresAt, at: now))
        let payload = PairingPayload(endpoint: endpoint, code: code, token: token, expiresAt: expiresAt,
                                     caFingerprint: loaded.caCertificate.fingerprint, alternates: alternates,
                                     relay: deps.settings.relays.first)
        var shown = code
        if let mailbox = deps.settings.mailbox {
            let addresses = [endpoint.description] + alternates.map { Endpoint(host: $0, port: endpoint.port).description }
            shown = await meet(at: mailbox, code: code, addresses: addresses, loaded: loaded)
        }
        return PairingInvitation(code: shown, payload: payload, expiresAt: expiresAt)
    }

    /// The application mailbox servers keep our nameplates under.
    static let appID = "healthsync.dev/pairing/v1"

    /// The mailbox of the current session, while it holds a nameplate, and
    /// a number told apart from the meetings before it.
    private var meeting: (any RendezvousSession)?
    private var meetingNumber = 0

    /// Claims a nameplate on `mailbox` and leaves there where this device
    /// can be reached (`addresses`, the relays it joins): never the code.
    /// Returns the code to show, `NN-847293`; when the mailbox cannot be
    /// reached, says so and returns the plain code (it works on this network).
    private func meet(at mailbox: MailboxServer, code: String, addresses: [String], loaded: LoadedIdentity) async -> String {
        await endMeeting()
        do {
            let side = Hex.encode(try deps.entropy.bytes(5))
            let meeting = try await deps.rendezvous.host(on: mailbox, appID: Self.appID, side: side, timeout: deps.settings.timeout)
            let relays = deps.settings.relays
            let locators = MailboxLocators(
                addresses: addresses, relays: relays.map(\.description),
                relayDevice: relays.isEmpty ? nil : SyncthingDeviceID(certificateFingerprint: loaded.caCertificate.fingerprint).description)
            do { try await meeting.post(try Self.locatorsEncoder.encode(locators).map { $0 }, phase: Self.locatorsPhase) } catch {
                await meeting.close(mood: "errory")
                throw error
            }
            // The session may have ended while the mailbox answered.
            guard session.state != .idle else {
                await meeting.close(mood: "lonely")
                return code
            }
            self.meeting = meeting
            meetingNumber += 1
            return PairingCode.remote(nameplate: meeting.nameplate, code: code)
        } catch {
            let why = HealthSyncError.wrap(error, as: .deviceNotFound, "The mailbox \(mailbox) cannot be reached")
            deps.bus.publish(.failed(HealthSyncError(why.code, "\(why.message): the code \(code) works on this network only",
                                                     hint: "Check reach.mailbox (`healthsync config show`) and that the mailbox server runs, or pair on one network.")))
            return code
        }
    }

    /// What the sharing device leaves in the mailbox is filed under this phase.
    static let locatorsPhase = "locators"

    private static var locatorsEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }

    /// Releases the session's nameplate and closes its mailbox, if it holds
    /// one (the session ended, or the program is stopping); with `number`,
    /// only if that meeting is still the current one.
    public func endMeeting(number: Int? = nil) async {
        guard let meeting, number == nil || number == meetingNumber else { return }
        self.meeting = nil
        await meeting.close(mood: session.outcome.map { if case .paired = $0 { "happy" } else { "lonely" } } ?? "lonely")
    }

    /// The code as the sharing user should see it: `NN-847293` while the
    /// session meets joiners at a mailbox, else the six digits.
    public func shown(_ code: String) -> String {
        meeting.map { PairingCode.remote(nameplate: $0.nameplate, code: code) } ?? code
    }

    /// Ends the session; a joiner waiting for a decision is rejected.
    public func cancel() { apply(session.cancel()) }

    /// The sharing user's answer to a pending request.
    public func respond(accept: Bool) throws {
        apply(session.expire(at: deps.clock.now()))
        guard let waiting = decision else {
            if case .failed(let error) = session.outcome, error.code == .pairingTokenExpired {
                throw HealthSyncError(.pairingTokenExpired, "The pairing request expired before it was answered",
                                      hint: "Start a new session (`healthsync pair` or `healthsync share`) and answer within its time.")
            }
            throw HealthSyncError(.invalidArgument, "No pairing request is waiting for an answer")
        }
        decision = nil
        waiting.resume(returning: accept)
    }

    /// The current session's refused attempts, oldest first.
    public var failures: [PairingFailure] { session.failures }

    public func state() -> PairingState {
        apply(session.expire(at: deps.clock.now()))
        apply(session.sweep(at: deps.clock.now()))
        return session.state
    }

    /// Ends an expired session (a daemon calls this on a timer).
    public func expireIfNeeded(at now: Date) { apply(session.expire(at: now)) }

    // MARK: The QR token path

    func joinWithToken(_ request: PairingMessage.TokenRequest, info: ConnectionInfo) throws -> PairingMessage.Exchange {
        let token = try session.tokenForProof(at: deps.clock.now())
        let expected = PeerCredentials.tokenProof(token, binding: info.channelBinding, byServer: false, deps: deps)
        guard ConstantTime.equals(request.proof, expected) else {
            let error = HealthSyncError(.pairingTokenInvalid)
            apply(session.tokenRefused(source: Self.source(of: info), error))
            throw error
        }
        // Proves to a joiner that has only the token that this device issued it.
        let serverProof = PeerCredentials.tokenProof(token, binding: info.channelBinding, byServer: true, deps: deps)
        return try exchange(with: request.joiner, info: info).proving(serverProof)
    }

    /// The address an attempt came from, without its port.
    static func source(of info: ConnectionInfo) -> String {
        (try? Endpoint(parsing: info.remoteAddress, defaultPort: 1).host) ?? String(info.remoteAddress.prefix(64))
    }

    // MARK: The SPAKE2+ code path

    func codeParameters(info: ConnectionInfo) throws -> PairingMessage.CodeParameters {
        let salt = try refusing { try session.codeParameters(source: Self.source(of: info), at: deps.clock.now()) }
        return PairingMessage.CodeParameters(salt: salt, iterations: deps.settings.pbkdf2Iterations)
    }

    /// Each share is one guess of the code, counted for the session and its
    /// source; a bad share or confirmation refuses only its connection.
    func codeShare(_ request: PairingMessage.CodeShare, info: ConnectionInfo) throws -> PairingMessage.CodeShareReply {
        let source = Self.source(of: info), now = deps.clock.now()
        let (code, salt, effects) = try refusing { try session.beginShare(source: source, at: now) }
        apply(effects)
        do {
            let (w0, w1) = try deps.pake.deriveScalars(code: code, salt: salt, iterations: deps.settings.pbkdf2Iterations)
            let (shareV, keys) = try deps.pake.verifierRespond(
                identities: PeerCredentials.spakeIdentities(binding: info.channelBinding), w0: w0,
                registration: try deps.pake.registrationRecord(w1: w1), y: SecretBytes(try deps.entropy.bytes(40)),
                shareP: request.shareP)
            let check = CheckNumber.from(deps.crypto.hmacSHA256(key: keys.sharedKey.bytes, data: PairingSession.checkNumberLabel))
            session.shareAnswered(PairingSession.CodeAttempt(binding: info.channelBinding, source: source, name: request.name,
                                                             expectedConfirmation: keys.confirmP, checkNumber: check,
                                                             answeredAt: now))
            return PairingMessage.CodeShareReply(shareV: shareV, confirmV: keys.confirmV)
        } catch {
            let refusal = HealthSyncError.wrap(error, as: .invalidPairingCode, "The pairing share was refused")
            apply(session.shareRefused(source: source, refusal))
            throw refusal
        }
    }

    /// Checks the joiner's confirmation, asks the sharing user, and on
    /// acceptance issues the joiner its certificate.
    func codeConfirm(_ request: PairingMessage.CodeConfirm, info: ConnectionInfo) async throws -> PairingMessage.Exchange {
        let attempt = try refusing { try session.confirm(request.confirmP, binding: info.channelBinding, at: deps.clock.now()) }
        let joiner = try deps.crypto.inspectSigningRequest(request.joiner.csr)
        apply(session.awaitDecision(for: attempt, deviceID: joiner.deviceID))
        let accepted = await withCheckedContinuation { decision = $0 }
        apply(try refusing { try session.decided(accepted, for: joiner.deviceID, binding: info.channelBinding) })
        return try exchange(with: request.joiner, info: info)
    }

    // MARK: Both paths

    /// Stores the joiner as paired once it returns the certificate its CA
    /// issued to us, on the same connection it authenticated.
    func finish(_ request: PairingMessage.Finish, info: ConnectionInfo) throws {
        let now = deps.clock.now()
        let joining = try session.finishing(binding: info.channelBinding, at: now)
        let loaded = try IdentityService(deps).ensureIdentity()
        let issued = try PeerCredentials.checkIssuedToUs(request.clientCertificate, by: joining.ca, deps: deps, loaded: loaded)
        try deps.keyStore.savePeer(PeerRecord(
            name: joining.name, deviceID: joining.deviceID, role: .joined, caFingerprint: joining.ca.fingerprint,
            caCertificatePEM: joining.ca.pem, clientCertificatePEM: issued.pem, issuedSerials: [joining.issuedSerial],
            lastAddress: nil, lastSeen: now, pairedAt: now))
        apply(session.finished(joining))
    }

    /// Issues the authenticated joiner its client certificate and answers
    /// with ours; the session then waits for the joiner's `finish`.
    private func exchange(with joiner: PairingMessage.Joiner, info: ConnectionInfo) throws -> PairingMessage.Exchange {
        let loaded = try IdentityService(deps).ensureIdentity()
        let ca = try PeerCredentials.peerCA(joiner.caCertificate, deps: deps)
        let request = try deps.crypto.inspectSigningRequest(joiner.csr)
        guard request.deviceID != loaded.deviceID else {
            throw HealthSyncError(.protocolError, "A device cannot pair with itself")
        }
        let issued = try PeerCredentials.issueClientCertificate(csr: joiner.csr, deps: deps, loaded: loaded)
        try session.exchanged(PairingSession.Joining(binding: info.channelBinding, name: joiner.name, deviceID: request.deviceID,
                                                     ca: ca, issuedSerial: issued.serial), at: deps.clock.now())
        let csr = try deps.crypto.makeSigningRequest(key: loaded.identity.deviceKey,
                                                     commonName: CertificatePolicy.clientCommonName)
        return PairingMessage.Exchange(name: deps.deviceName, clientCertificate: issued.pem,
                                       caCertificate: loaded.caCertificate.pem,
                                       serverCertificate: loaded.serverCertificate.pem, csr: csr)
    }

    /// Runs a transition; a refusal's effects are carried out before its error is thrown.
    private func refusing<T>(_ transition: () throws -> T) throws -> T {
        do { return try transition() } catch let refusal as PairingRefusal {
            apply(refusal.effects)
            throw refusal.error
        }
    }

    private func apply(_ effects: [PairingSession.Effect]) {
        defer {
            open.store(session.state != .idle, ordering: .relaxed)
            // A session that ended gives its nameplate back at once.
            if session.state == .idle, meeting != nil {
                let number = meetingNumber
                Task { await self.endMeeting(number: number) }
            }
        }
        for effect in effects {
            switch effect {
            case .publish(let event):
                deps.bus.publish(event)
            case .resumeDecision(let accepted):
                let waiting = decision
                decision = nil
                waiting?.resume(returning: accepted)
            }
        }
    }
}
