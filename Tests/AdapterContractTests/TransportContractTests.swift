import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import LoopbackTransport
import ManualClock
import OpenSSLCrypto
import OpenSSLTransport
import Testing

enum TransportKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case openssl, loopback

    var testDescription: String { rawValue }

    func make(crypto: any Crypto, clock: any WallClock) throws -> any Transport {
        switch self {
        case .openssl: try OpenSSLTransport(crypto: crypto, clock: clock)
        case .loopback: LoopbackTransport(network: LoopbackNetwork(), crypto: crypto, clock: clock, entropy: OpenSSLRandom())
        }
    }
}

/// One CA, a server certificate and a client certificate from it, and a
/// stranger's CA: what the contract needs to tell peers apart.
struct TestPKI {
    let crypto: OpenSSLCrypto
    let clock: ManualClock
    let ca: Certificate
    /// The CA's own key and certificate: how a device shows itself to relays.
    let identity: TransportCredentials
    let server: TransportCredentials
    let client: TransportCredentials
    let strangerCA: Certificate

    init() throws {
        let crypto = OpenSSLCrypto(), now = Date()
        func spec(_ name: String, extra: [String] = []) throws -> CertificateSpec {
            CertificateSpec(commonName: name, serial: try OpenSSLRandom().bytes(16), notBefore: now.addingTimeInterval(-60),
                            notAfter: now.addingTimeInterval(86_400 * 30), extraSubjectAltNames: extra)
        }
        let caKey = try crypto.generatePrivateKey()
        let ca = try crypto.makeCertificateAuthority(key: caKey, spec: try spec("test CA"))
        func leaf(_ role: CertificateRole, _ name: String, extra: [String] = []) throws -> TransportCredentials {
            let key = try crypto.generatePrivateKey()
            let certificate = try crypto.issueCertificate(request: try crypto.makeSigningRequest(key: key, commonName: name),
                                                          spec: try spec(name, extra: extra), role: role, caKey: caKey,
                                                          caCertificate: ca)
            return TransportCredentials(key: key, certificate: certificate, chain: role == .server ? [ca] : [])
        }
        self.crypto = crypto
        clock = ManualClock(now)
        self.ca = ca
        identity = TransportCredentials(key: caKey, certificate: ca)
        server = try leaf(.server, CertificatePolicy.serverCommonName, extra: ["IP:127.0.0.1"])
        client = try leaf(.client, CertificatePolicy.clientCommonName)
        strangerCA = try crypto.makeCertificateAuthority(key: try crypto.generatePrivateKey(), spec: try spec("stranger"))
    }
}

/// The `Transport` port's contract, over the network and in memory alike.
/// The serving side is `EchoPeer`, which reports what it saw.
@Suite("Transport contract")
struct TransportContractTests {
    static let local = Endpoint(host: "127.0.0.1", port: 0)
    let pki: TestPKI

    init() throws { pki = try TestPKI() }

    func serve(_ transport: any Transport) async throws -> any TransportListener {
        try await transport.listen(on: Self.local, credentials: pki.server, clientAnchor: pki.ca, serving: EchoPeer())
    }

    /// A transport of `kind`, an `EchoPeer` served on it, and a link to it with the client certificate.
    func connected(_ kind: TransportKind) async throws -> (any Transport, any TransportListener, any PeerLink) {
        let transport = try kind.make(crypto: pki.crypto, clock: pki.clock)
        let listener = try await serve(transport)
        let link = try await transport.connect(to: listener.endpoint, credentials: pki.client, anchor: .certificate(pki.ca),
                                               timeout: .seconds(5))
        return (transport, listener, link)
    }

    @Test(arguments: TransportKind.allCases)
    func bothSidesSeeTheOtherAndTheSameChannelBinding(_ kind: TransportKind) async throws {
        let transport = try kind.make(crypto: pki.crypto, clock: pki.clock)
        let listener = try await serve(transport)
        #expect(listener.endpoint.port != 0)
        let link = try await transport.connect(to: listener.endpoint, credentials: pki.client, anchor: .certificate(pki.ca),
                                               timeout: .seconds(5))
        #expect(link.info.peer.chainCheck == .verified)
        #expect(link.info.peer.leaf?.fingerprint == pki.server.certificate.fingerprint)
        #expect(link.info.peer.hostMatches)
        #expect(link.info.channelBinding.count == 32)
        let seen = try await link.status(timeout: .seconds(5))
        // The server saw our certificate and the same binding.
        #expect(seen.deviceID == pki.client.certificate.publicKeyID)
        #expect(seen.name == Hex.encode(link.info.channelBinding))
        // A second connection has a binding of its own.
        let other = try await transport.connect(to: listener.endpoint, credentials: pki.client, anchor: .certificate(pki.ca),
                                                timeout: .seconds(5))
        #expect(other.info.channelBinding != link.info.channelBinding)
        await other.close()
        await link.close()
        await listener.close()
    }

    @Test(arguments: TransportKind.allCases)
    func chainsAreJudgedAgainstTheAnchorGiven(_ kind: TransportKind) async throws {
        let transport = try kind.make(crypto: pki.crypto, clock: pki.clock)
        let listener = try await serve(transport)
        let pinned = try await transport.connect(to: listener.endpoint, credentials: nil,
                                                 anchor: .fingerprint(pki.ca.fingerprint), timeout: .seconds(5))
        #expect(pinned.info.peer.anchor?.fingerprint == pki.ca.fingerprint && pinned.info.peer.chainCheck == .verified)
        let foreign = try await transport.connect(to: listener.endpoint, credentials: nil,
                                                  anchor: .certificate(pki.strangerCA), timeout: .seconds(5))
        #expect(foreign.info.peer.chainCheck != .verified)
        // No client certificate: the server sees none.
        let anonymous = await #expect(throws: HealthSyncError.self) { _ = try await pinned.status(timeout: .seconds(5)) }
        #expect(anonymous?.code == .noClientCertificate)
        await pinned.close()
        await foreign.close()
        await listener.close()
    }

    /// With no pairing session open, a client whose certificate is not from
    /// the listener's CA is refused at the handshake, and the listener's
    /// requests hear of it (for the daemon's log).
    @Test(arguments: TransportKind.allCases)
    func aRefusedClientIsToldToTheListener(_ kind: TransportKind) async throws {
        let transport = try kind.make(crypto: pki.crypto, clock: pki.clock)
        let peer = EchoPeer(admitsClientsWithoutCertificate: false)
        let listener = try await transport.listen(on: Self.local, credentials: pki.server, clientAnchor: pki.ca, serving: peer)
        let key = try pki.crypto.generatePrivateKey()
        let stranger = TransportCredentials(key: key, certificate: try pki.crypto.makeCertificateAuthority(
            key: key, spec: CertificateSpec(commonName: "stranger", serial: [1], notBefore: Date().addingTimeInterval(-60),
                                            notAfter: Date().addingTimeInterval(3600))))
        await #expect(throws: HealthSyncError.self) {
            let link = try await transport.connect(to: listener.endpoint, credentials: stranger, anchor: .certificate(pki.ca),
                                                   timeout: .seconds(5))
            _ = try await link.status(timeout: .seconds(5))
        }
        // The refusal reaches the listener as the handshake fails (on its event loop: allow it a moment).
        for _ in 0..<50 where peer.refusals.all.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!peer.refusals.all.isEmpty)
        // The paired client still gets in, and is not counted as refused.
        let before = peer.refusals.all.count
        let link = try await transport.connect(to: listener.endpoint, credentials: pki.client, anchor: .certificate(pki.ca),
                                               timeout: .seconds(5))
        _ = try await link.status(timeout: .seconds(5))
        #expect(peer.refusals.all.count == before)
        await link.close()
        await listener.close()
    }

    @Test(arguments: TransportKind.allCases)
    func aCallThatIsNotAnsweredInTimeTimesOut(_ kind: TransportKind) async throws {
        let (_, listener, link) = try await connected(kind)
        // EchoPeer holds a page `limit` milliseconds.
        let slow = try SampleQuery(types: [.steps], limit: 1500)
        let error = await #expect(throws: HealthSyncError.self) { _ = try await link.samples(slow, timeout: .milliseconds(200)) }
        #expect(error?.code == .timedOut)
        // The same link answers a call given enough time.
        let quick = try SampleQuery(types: [.steps], limit: 1)
        #expect(try await link.samples(quick, timeout: .seconds(5)).samples.isEmpty)
        await link.close()
        await listener.close()
    }

    @Test(arguments: TransportKind.allCases)
    func nothingListeningAndVanishedPeersAreDeviceNotFound(_ kind: TransportKind) async throws {
        let (transport, listener, link) = try await connected(kind)
        _ = try await link.status(timeout: .seconds(5))
        let endpoint = listener.endpoint
        await listener.close()
        let vanished = await #expect(throws: HealthSyncError.self) { _ = try await link.status(timeout: .seconds(5)) }
        #expect(vanished?.code == .deviceNotFound)
        let refused = await #expect(throws: HealthSyncError.self) {
            _ = try await transport.connect(to: endpoint, credentials: pki.client, anchor: .certificate(pki.ca),
                                            timeout: .seconds(5))
        }
        #expect(refused?.code == .deviceNotFound)
        await link.close()
    }

    @Test(arguments: TransportKind.allCases)
    func oversizedRequestsAreRefusedAndTheLinkStillWorks(_ kind: TransportKind) async throws {
        let (transport, listener, link) = try await connected(kind)
        // EchoPeer echoes the CSR: one just under the bound comes back, one over it never reaches the peer.
        let fits = String(repeating: "a", count: 200 * 1024)
        #expect(try await link.renewCertificate(RenewalRequest(csr: fits, clientTime: nil), timeout: .seconds(10)).certificate == fits)
        let huge = String(repeating: "a", count: 300 * 1024)
        let error = await #expect(throws: HealthSyncError.self) { _ = try await link.renewCertificate(RenewalRequest(csr: huge, clientTime: nil), timeout: .seconds(10)) }
        #expect(error?.code == .payloadTooLarge)
        await link.close()
        let again = try await transport.connect(to: listener.endpoint, credentials: pki.client, anchor: .certificate(pki.ca),
                                                timeout: .seconds(5))
        #expect(try await again.changes(after: 5, limit: 10, wait: .zero, timeout: .seconds(5)).last == 5)
        await again.close()
        await listener.close()
    }

    @Test(arguments: TransportKind.allCases)
    func concurrentCallsOnOneLinkEachGetTheirAnswer(_ kind: TransportKind) async throws {
        let (_, listener, link) = try await connected(kind)
        let answers = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<20 { group.addTask { try await link.changes(after: Int64(index), limit: 10, wait: .zero, timeout: .seconds(10)).last } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.sorted() == (0..<20).map(Int64.init))
        await link.close()
        await listener.close()
    }

    /// Requests are answered on the handler workers, never on Swift's
    /// cooperative pool (use cases call synchronous ports).
    @Test func networkHandlersRunOffTheCooperativePool() async throws {
        let (_, listener, link) = try await connected(.openssl)
        for _ in 0..<3 { #expect(try await link.status(timeout: .seconds(5)).version.hasPrefix("worker ")) }
        await link.close()
        await listener.close()
    }
}
