import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import ManualClock
import Testing

@Suite("Pairing and trust failures, each by its code")
struct PairingFailureTests {
    @Test func anExpiredSessionIsRefused() async throws {
        let world = World()
        let a = try world.device("phone", seed: 101)
        let lateClock = ManualClock(world.clock.now())
        let b = try world.device("mac", seed: 102, clock: lateClock)
        let listener = try await a.serve()
        let invitation = try await a.host.initiate(advertising: listener.endpoint)
        // The joiner sees the payload's expiry itself…
        lateClock.advance(by: 301)
        #expect(await errorCode { _ = try await b.application.joining.join(payloadText: invitation.qrText) } == .pairingTokenExpired)
        // …and the sharing device refuses a joiner whose clock is behind.
        lateClock.set(world.clock.now())
        world.clock.advance(by: 301)
        #expect(await errorCode { _ = try await b.application.joining.join(payloadText: invitation.qrText) } == .pairingTokenExpired)
        #expect(await a.host.state() == .idle)
        #expect(await errorCode { _ = try await b.application.joining.join(code: invitation.code, endpoint: listener.endpoint) }
            == .pairingTokenExpired)
        await listener.close()
    }

    @Test func aWrongCodeRefusesOnlyThatAttempt() async throws {
        let world = World()
        let a = try world.device("phone", seed: 111), b = try world.device("mac", seed: 112)
        let listener = try await a.serve()
        let invitation = try await a.host.initiate(advertising: listener.endpoint)
        let wrong = invitation.code == "271828" ? "314159" : "271828"
        #expect(await errorCode { _ = try await a.joinByCode(b, at: listener.endpoint, code: wrong) } == .invalidPairingCode)
        #expect(try a.peers().isEmpty && b.peers().isEmpty)
        if case .waiting = await a.host.state() {} else { Issue.record("the session ended") }
        _ = try await a.joinByCode(b, at: listener.endpoint, code: invitation.code)
        #expect(try a.peers().count == 1 && b.peers().count == 1)
        await listener.close()
    }

    @Test func malformedCodesAreRefusedBeforeConnecting() async throws {
        let world = World()
        let b = try world.device("mac", seed: 113)
        for code in ["12345", "1234567", "abcdef", "012345", ""] {
            #expect(await errorCode { _ = try await b.application.joining.join(code: code, endpoint: Endpoint(host: "x", port: 1)) }
                == .invalidPairingCode)
        }
    }

    @Test func usedAndForeignTokensAreRefused() async throws {
        let world = World()
        let a = try world.device("phone", seed: 121), b = try world.device("mac", seed: 122), d = try world.device("watch", seed: 123)
        let listener = try await a.serve()
        let used = try await a.host.initiate(advertising: listener.endpoint)
        _ = try await b.application.joining.join(payloadText: used.qrText)
        #expect(await errorCode { _ = try await d.application.joining.join(payloadText: used.qrText) } == .pairingTokenExpired)

        let old = try await a.host.initiate(advertising: listener.endpoint)
        await a.host.cancel()
        _ = try await a.host.initiate(advertising: listener.endpoint)
        #expect(await errorCode { _ = try await d.application.joining.join(payloadText: old.qrText) } == .pairingTokenInvalid)
        #expect(try a.peers().count == 1)
        await listener.close()
    }

    @Test func aRejectedRequestPairsNobody() async throws {
        let world = World()
        let a = try world.device("phone", seed: 131), c = try world.device("tablet", seed: 132)
        let listener = try await a.serve()
        #expect(await errorCode { _ = try await a.pairByCode(c, at: listener.endpoint, accept: false) } == .pairingRejected)
        #expect(try a.peers().isEmpty && c.peers().isEmpty)
        #expect(await a.host.state() == .idle)
        await listener.close()
    }

    @Test func oneSessionAtATime() async throws {
        let world = World()
        let a = try world.device("phone", seed: 141)
        let endpoint = Endpoint(host: "127.0.0.1", port: 8443)
        _ = try await a.host.initiate(advertising: endpoint)
        #expect(await errorCode { _ = try await a.host.initiate(advertising: endpoint) } == .pairingBusy)
        world.clock.advance(by: 301)
        _ = try await a.host.initiate(advertising: endpoint)
    }

    @Test func failedCodesSlowTheirSourceButNeverNewSessionsOrTheQRPath() async throws {
        let world = World()
        let a = try world.device("phone", seed: 151, maxFailedCodes: 2), b = try world.device("mac", seed: 152)
        let d = try world.device("watch", seed: 153)
        let listener = try await a.serve()
        let invitation = try await a.host.initiate(advertising: listener.endpoint)
        let wrong = invitation.code == "271828" ? "314159" : "271828"
        for _ in 0..<2 {
            #expect(await errorCode { _ = try await a.joinByCode(b, at: listener.endpoint, code: wrong) } == .invalidPairingCode)
        }
        // The session survives; its source now waits; the QR token still pairs.
        #expect(await errorCode { _ = try await a.joinByCode(b, at: listener.endpoint, code: invitation.code) } == .pairingRateLimited)
        // Two wrong codes (each joiner says so at once) and the refusal of the third attempt.
        #expect(await a.host.failures.count == 3)
        _ = try await d.application.joining.join(payloadText: invitation.qrText)
        // A new session starts at once; the source may guess again after 30 s.
        let next = try await a.host.initiate(advertising: listener.endpoint)
        world.clock.advance(by: 31)
        _ = try await a.joinByCode(b, at: listener.endpoint, code: next.code)
        #expect(try a.peers().count == 2)
        await listener.close()
    }

    @Test func fetchingNeedsAPairingTheServerStillHonours() async throws {
        let world = World()
        let a = try world.device("phone", seed: 161), b = try world.device("mac", seed: 162), d = try world.device("watch", seed: 163)
        let listener = try await a.serve()
        _ = try a.application.samples.generate(days: 1)
        #expect(await errorCode { _ = try await d.application.fetching.fetch(types: [.steps], limit: 1) } == .notPaired)
        _ = try await a.pairByToken(b, advertising: listener.endpoint)
        // Dropped from A's allow-list without a revocation.
        _ = try a.deps.keyStore.removePeer(try b.deviceID)
        // The same as a pairing interrupted before A committed: B's one-sided record is repaired away.
        let refused = await #expect(throws: HealthSyncError.self) {
            _ = try await b.application.fetching.fetch(types: [.steps], limit: 1)
        }
        #expect(refused?.code == .notPaired && refused?.message.contains("no longer knows this pairing") == true)
        #expect(try b.peers().isEmpty)
        await listener.close()
    }

    @Test func certificatesOutsideTheirValidityAreRefused() async throws {
        let world = World()
        let serverClock = ManualClock(world.clock.now())
        let a = try world.device("phone", seed: 171, clock: serverClock), b = try world.device("mac", seed: 172)
        let listener = try await a.serve()
        _ = try await a.pairByToken(b, advertising: listener.endpoint)
        let start = serverClock.now()
        // The sharing device judges the joiner's client certificate by its own clock.
        serverClock.set(start.addingTimeInterval(400 * 86_400))
        #expect(await errorCode { _ = try await b.application.fetching.fetch(types: [.steps], limit: 1) } == .certHasExpired)
        serverClock.set(start.addingTimeInterval(-86_400))
        #expect(await errorCode { _ = try await b.application.fetching.fetch(types: [.steps], limit: 1) } == .certNotYetValid)
        // The joiner judges the server certificate by its clock.
        serverClock.set(start)
        world.clock.set(start.addingTimeInterval(400 * 86_400))
        #expect(await errorCode { _ = try await b.application.fetching.fetch(types: [.steps], limit: 1) } == .certHasExpired)
        world.clock.set(start)
        _ = try await b.application.fetching.fetch(types: [.steps], limit: 1)
        await listener.close()
    }

    @Test func aCertificateFromAForeignCAIsRefused() async throws {
        let world = World()
        let a = try world.device("phone", seed: 181), b = try world.device("mac", seed: 182)
        let listener = try await a.serve()
        var peer = try await a.pairByToken(b, advertising: listener.endpoint)
        // B replaces the certificate A issued with one from its own CA.
        let loaded = try b.application.identity.ensureIdentity()
        let request = try b.deps.crypto.makeSigningRequest(key: loaded.identity.deviceKey, commonName: "healthsync-client")
        let forged = try b.deps.crypto.issueCertificate(
            request: request, spec: CertificateSpec(commonName: "healthsync-client", serial: [9],
                                                    notBefore: world.clock.now().addingTimeInterval(-60),
                                                    notAfter: world.clock.now().addingTimeInterval(86_400)),
            role: .client, caKey: loaded.identity.caKey, caCertificate: loaded.caCertificate)
        peer.clientCertificatePEM = forged.pem
        try b.deps.keyStore.savePeer(peer)
        #expect(await errorCode { _ = try await b.application.fetching.fetch(types: [.steps], limit: 1) } == .unableToVerifyLeafSignature)
        await listener.close()
    }

    @Test func aRelayInTheMiddleGetsNoCertificate() async throws {
        let world = World()
        let a = try world.device("phone", seed: 191), b = try world.device("mac", seed: 192), m = try world.device("mallory", seed: 193)
        let listener = try await a.serve()
        let relay = try await Relay.start(m, forwardingTo: listener.endpoint)

        // Token path: the relay cannot present A's CA.
        let invitation = try await a.host.initiate(advertising: listener.endpoint)
        let redirected = PairingPayload(endpoint: relay.endpoint, code: invitation.code, token: invitation.payload.tokenBytes,
                                        expiresAt: invitation.expiresAt, caFingerprint: invitation.payload.certificateFingerprint)
        #expect(await errorCode { _ = try await b.application.joining.join(payloadText: redirected.text) } == .fingerprintMismatch)
        #expect(relay.forwarded.isEmpty)

        // Code path: the relay's two connections have different channel bindings.
        #expect(await errorCode { _ = try await a.joinByCode(b, at: relay.endpoint, code: invitation.code) } == .invalidPairingCode)
        #expect(!relay.forwarded.isEmpty)
        #expect(!relay.sawCertificate)
        #expect(try a.peers().isEmpty && b.peers().isEmpty && m.peers().isEmpty)
        await relay.listener.close()
        await listener.close()
    }

    @Test func aBareTokenPairsDirectlyAndARelayCannotProveIt() async throws {
        let world = World()
        let a = try world.device("phone", seed: 197), b = try world.device("mac", seed: 198), m = try world.device("mallory", seed: 199)
        let d = try world.device("watch", seed: 200)
        let listener = try await a.serve()
        let relay = try await Relay.start(m, forwardingTo: listener.endpoint)
        let invitation = try await a.host.initiate(advertising: listener.endpoint)
        // Through a device in the middle: its connection to the joiner has another binding, so no proof holds.
        let intercepted = await #expect(throws: HealthSyncError.self) {
            _ = try await b.application.joining.join(bareToken: invitation.payload.token, host: relay.endpoint.description)
        }
        #expect(intercepted?.code == .pairingTokenInvalid || intercepted?.code == .fingerprintMismatch)
        #expect(try !relay.sawCertificate && b.peers().isEmpty)
        // Directly: the device proves it issued the token, and the pairing completes.
        let record = try await d.application.joining.join(bareToken: invitation.payload.token, host: listener.endpoint.description)
        #expect(record.deviceID == (try a.deviceID))
        // Guide 000's short example is not a token HealthSync issues, and says what to use instead.
        let short = await #expect(throws: HealthSyncError.self) {
            _ = try await b.application.joining.join(bareToken: "abc123def456", host: listener.endpoint.description)
        }
        #expect(short?.code == .invalidQRPayload && short?.hint.contains("6-digit code") == true)
        await relay.listener.close()
        await listener.close()
    }

    @Test func aServerAskingForTenMillionIterationsIsRefusedBeforeAnyIsSpent() async throws {
        let world = World()
        let a = try world.device("phone", seed: 194), b = try world.device("mac", seed: 195), m = try world.device("mallory", seed: 196)
        let listener = try await a.serve()
        let relay = try await Relay.start(m, forwardingTo: listener.endpoint)
        relay.claim(iterations: 10_000_000)
        let invitation = try await a.host.initiate(advertising: listener.endpoint)
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await b.application.joining.join(code: invitation.code, endpoint: relay.endpoint)
        }
        #expect(error?.code == .protocolError && error?.message.contains("10000000 PBKDF2 iterations") == true)
        // Refused on the parameters alone: no share was derived or sent.
        #expect(relay.forwarded == ["parameters"])
        await relay.listener.close()
        await listener.close()
    }
}

/// A device that terminates connections itself and forwards every request
/// to the real sharing device over a connection of its own.
final class Relay: Sendable {
    let listener: any TransportListener
    private let log: Captured

    var endpoint: Endpoint { listener.endpoint }
    var forwarded: [String] { log.paths }
    /// Makes the relay claim `count` PBKDF2 iterations.
    func claim(iterations count: Int) { log.iterations = count }
    var sawCertificate: Bool { log.sawCertificate }

    private init(listener: any TransportListener, log: Captured) {
        self.listener = listener
        self.log = log
    }

    static func start(_ device: WorldDevice, forwardingTo target: Endpoint) async throws -> Relay {
        let loaded = try device.application.identity.ensureIdentity()
        let transport = device.deps.transport
        let log = Captured(transport: transport, target: target)
        let listener = try await transport.listen(
            on: Endpoint(host: "127.0.0.1", port: 0),
            credentials: TransportCredentials(key: loaded.identity.deviceKey, certificate: loaded.serverCertificate,
                                              chain: [loaded.caCertificate]),
            clientAnchor: loaded.caCertificate, serving: log)
        return Relay(listener: listener, log: log)
    }
}

/// The relay's answers: each step forwarded over its one upstream link,
/// with what it saw recorded.
final class Captured: PeerRequests, @unchecked Sendable {
    // Safe: every access to the mutable state holds `lock`.
    private let lock = NSLock()
    private var seen: [String] = []
    private var certificate = false
    private var upstream: (any PeerLink)?
    private let transport: any Transport
    private let target: Endpoint

    init(transport: any Transport, target: Endpoint) {
        self.transport = transport
        self.target = target
    }

    var paths: [String] { lock.withLock { seen } }
    /// A relay admits anyone: it is in the middle, not a paired device.
    var admitsClientsWithoutCertificate: Bool { true }
    func handshakeRefused(from address: String, reason: HealthSyncError) {}
    var sawCertificate: Bool { lock.withLock { certificate } }

    private func forward<T: Sendable>(_ step: String, _ call: (any PeerLink) async throws -> T) async throws -> T {
        lock.withLock { seen.append(step) }
        let result = try await call(try await link())
        if let exchange = result as? PairingMessage.Exchange, exchange.clientCertificate.contains("BEGIN CERTIFICATE") {
            lock.withLock { certificate = true }
        }
        return result
    }

    private func link() async throws -> any PeerLink {
        if let existing = lock.withLock({ upstream }) { return existing }
        let made = try await transport.connect(to: target, credentials: nil, anchor: .none, timeout: .seconds(1))
        lock.withLock { upstream = made }
        return made
    }

    func pairWithToken(_ request: PairingMessage.TokenRequest, from peer: ConnectionInfo) async throws -> PairingMessage.Exchange {
        try await forward("token") { try await $0.pairWithToken(request, timeout: .seconds(1)) }
    }

    /// What the relay claims in place of the real iteration count, if anything.
    var iterations: Int? {
        get { lock.withLock { claimedIterations } }
        set { lock.withLock { claimedIterations = newValue } }
    }
    private var claimedIterations: Int?

    func codeParameters(from peer: ConnectionInfo) async throws -> PairingMessage.CodeParameters {
        let real = try await forward("parameters") { try await $0.codeParameters(timeout: .seconds(1)) }
        return PairingMessage.CodeParameters(salt: real.salt, iterations: iterations ?? real.iterations)
    }

    func codeShare(_ share: PairingMessage.CodeShare, from peer: ConnectionInfo) async throws -> PairingMessage.CodeShareReply {
        try await forward("share") { try await $0.codeShare(share, timeout: .seconds(1)) }
    }

    func codeConfirm(_ confirm: PairingMessage.CodeConfirm, from peer: ConnectionInfo) async throws -> PairingMessage.Exchange {
        try await forward("confirm") { try await $0.codeConfirm(confirm, timeout: .seconds(5)) }
    }

    func finishPairing(_ finish: PairingMessage.Finish, from peer: ConnectionInfo) async throws {
        try await forward("finish") { try await $0.finishPairing(finish, timeout: .seconds(1)) }
    }

    func status(from peer: ConnectionInfo) async throws -> PeerStatus {
        try await forward("status") { try await $0.status(timeout: .seconds(1)) }
    }

    func samples(_ query: SampleQuery, from peer: ConnectionInfo) async throws -> SamplePage {
        try await forward("samples") { try await $0.samples(query, timeout: .seconds(1)) }
    }

    func changes(after: Int64, limit: Int, wait: Duration, schema: Int, from peer: ConnectionInfo) async throws -> SampleChanges {
        try await forward("changes") { try await $0.changes(after: after, limit: limit, wait: wait, timeout: .seconds(1)) }
    }

    func renewCertificate(_ request: RenewalRequest, from peer: ConnectionInfo) async throws -> RenewalReply {
        try await forward("renew") { try await $0.renewCertificate(request, timeout: .seconds(1)) }
    }

    func unpair(from peer: ConnectionInfo) async throws {
        try await forward("unpair") { try await $0.unpair(timeout: .seconds(1)) }
    }
}
@Suite("Pairing status")
struct PairingStatusTests {
    @Test func theSessionMovesFromWaitingToPendingToIdle() async throws {
        let world = World()
        let a = try world.device("phone", seed: 201), c = try world.device("tablet", seed: 202)
        let listener = try await a.serve()
        #expect(await a.host.state() == .idle)
        let events = a.application.bus.subscribe()
        let invitation = try await a.host.initiate(advertising: listener.endpoint)
        #expect(await a.host.state() == .waiting(code: invitation.code, expiresAt: invitation.expiresAt))
        let join = Task { try await c.application.joining.join(code: invitation.code, endpoint: listener.endpoint) }
        _ = await firstEvent(events) { if case .pairingRequestPending = $0 { return true } else { return nil } }
        guard case .pending(let name, let id, let check) = await a.host.state() else {
            Issue.record("not pending")
            return
        }
        let cID = try c.deviceID
        #expect(name == "tablet" && id == cID && check.count == 6)
        #expect(await errorCode { _ = try await a.host.initiate(advertising: listener.endpoint) } == .pairingBusy)
        await a.host.cancel()
        #expect(await errorCode { _ = try await join.value } == .pairingRejected)
        #expect(await a.host.state() == .idle)
        #expect(await errorCode { try await a.host.respond(accept: true) } == .invalidArgument)
        await listener.close()
    }

    @Test func anAnswerAfterExpirySaysTheRequestExpired() async throws {
        let world = World()
        let a = try world.device("phone", seed: 203), c = try world.device("tablet", seed: 204)
        let listener = try await a.serve()
        let events = a.application.bus.subscribe()
        let invitation = try await a.host.initiate(advertising: listener.endpoint)
        let join = Task { try await c.application.joining.join(code: invitation.code, endpoint: listener.endpoint) }
        _ = await firstEvent(events) { if case .pairingRequestPending = $0 { return true } else { return nil } }
        world.clock.advance(by: 301)
        let error = await #expect(throws: HealthSyncError.self) { try await a.host.respond(accept: true) }
        #expect(error?.code == .pairingTokenExpired && error?.message == "The pairing request expired before it was answered")
        #expect(await errorCode { _ = try await join.value } == .pairingRejected)
        await listener.close()
    }

    @Test func aSyncWithAFailedDeviceIsAPartialFailure() throws {
        let id = try #require(DeviceID(bytes: Array(repeating: 1, count: 32)))
        let report = Report.synced(SyncReport(devices: [
            .init(name: "phone", deviceID: id, received: 3, position: 3, error: nil),
            .init(name: "watch", deviceID: id, received: 0, position: 0, error: ErrorSummary(HealthSyncError(.deviceNotFound))),
        ]))
        #expect(report.partialFailure?.code == .deviceNotFound)
        #expect(report.partialFailure?.message == "Syncing from 1 of 2 devices failed: watch")
        #expect(Report.synced(SyncReport(devices: [.init(name: "phone", deviceID: id, received: 0, position: 0, error: nil)]))
            .partialFailure == nil)
    }
}
