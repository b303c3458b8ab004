import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import LoopbackTransport
import OpenSSLCrypto
import OpenSSLTransport
import Testing

/// The relay path of the `Transport` port: through a real `strelaysrv` on
/// loopback (skipped with a reason when Debian's syncthing-relaysrv is not
/// installed), and through the in-memory relay at parity.
@Suite("Transport through a relay")
struct RelayTransportTests {
    let pki: TestPKI
    let folder = TemporaryDirectory("relay")

    init() throws { pki = try TestPKI() }

    /// A relay for `kind`: a real one for OpenSSL, an address for loopback.
    func relay(_ kind: TransportKind) async throws -> (ReachServer, SyncthingServers.Relay?)? {
        switch kind {
        case .loopback:
            let id = SyncthingDeviceID(certificateFingerprint: pki.strangerCA.fingerprint)
            return (ReachServer(kind: .relay, endpoint: Endpoint(host: "127.0.0.1", port: 22067), id: id), nil)
        case .openssl:
            guard let running = try await SyncthingServers.relay(folder: folder.path) else { return nil }
            return (try ReachServer(parsing: running.uri, as: .relay), running)
        }
    }

    var ourID: SyncthingDeviceID { SyncthingDeviceID(certificateFingerprint: pki.identity.certificate.fingerprint) }

    @Test(arguments: TransportKind.allCases)
    func aJoinedDeviceIsReachedWithTheSameMutualTLS(_ kind: TransportKind) async throws {
        guard let (relay, running) = try await relay(kind) else {
            Issue.record("strelaysrv is not installed (apt-get install syncthing-relaysrv): the relay path is untested")
            return
        }
        let transport = try kind.make(crypto: pki.crypto, clock: pki.clock)
        let member = try await transport.join(relay, identity: pki.identity, credentials: pki.server, clientAnchor: pki.ca,
                                              serving: EchoPeer())
        async let ended = member.ended()
        let route = RelayRoute(relay: relay, peer: ourID)
        let link = try await transport.connect(through: route, identity: pki.identity, credentials: pki.client,
                                               anchor: .certificate(pki.ca), timeout: .seconds(15))
        #expect(link.info.peer.chainCheck == .verified)
        #expect(link.info.peer.leaf?.fingerprint == pki.server.certificate.fingerprint)
        #expect(link.info.remoteAddress == relay.address)
        let seen = try await link.status(timeout: .seconds(15))
        #expect(seen.deviceID == pki.client.certificate.publicKeyID)
        #expect(seen.name == Hex.encode(link.info.channelBinding))
        if kind == .openssl { #expect(link.info.session.version == "TLSv1.3") }
        // Several sessions at once, each its own.
        let second = try await transport.connect(through: route, identity: pki.identity, credentials: pki.client,
                                                 anchor: .certificate(pki.ca), timeout: .seconds(15))
        #expect(second.info.channelBinding != link.info.channelBinding)
        _ = try await second.status(timeout: .seconds(15))
        await second.close()
        await link.close()

        // A device that never joined is not found there.
        let stranger = RelayRoute(relay: relay, peer: SyncthingDeviceID(certificateFingerprint: pki.strangerCA.fingerprint))
        let absent = await #expect(throws: HealthSyncError.self) {
            _ = try await transport.connect(through: stranger, identity: pki.identity, credentials: pki.client,
                                            anchor: .certificate(pki.ca), timeout: .seconds(15))
        }
        #expect(absent?.code == .deviceNotFound)

        // Leaving: the membership ends, and the device is no longer found.
        await member.close()
        _ = await ended
        try await Task.sleep(for: .milliseconds(300))
        let gone = await #expect(throws: HealthSyncError.self) {
            _ = try await transport.connect(through: route, identity: pki.identity, credentials: pki.client,
                                            anchor: .certificate(pki.ca), timeout: .seconds(15))
        }
        #expect(gone?.code == .deviceNotFound)
        if let running { _ = await running.process.terminate() }
    }

    @Test func aRelayWhoseCertificateIsNotThePinnedOneIsRefused() async throws {
        guard let (relay, running) = try await relay(.openssl), let running else {
            Issue.record("strelaysrv is not installed (apt-get install syncthing-relaysrv): the relay pin is untested")
            return
        }
        let transport = try TransportKind.openssl.make(crypto: pki.crypto, clock: pki.clock)
        let impostor = ReachServer(kind: .relay, endpoint: relay.endpoint, id: ourID)
        let refused = await #expect(throws: HealthSyncError.self) {
            _ = try await transport.join(impostor, identity: pki.identity, credentials: pki.server, clientAnchor: pki.ca,
                                         serving: EchoPeer())
        }
        #expect(refused?.code == .fingerprintMismatch)
        let dialled = await #expect(throws: HealthSyncError.self) {
            _ = try await transport.connect(through: RelayRoute(relay: impostor, peer: ourID), identity: pki.identity,
                                            credentials: pki.client, anchor: .certificate(pki.ca), timeout: .seconds(15))
        }
        #expect(dialled?.code == .fingerprintMismatch)

        // The relay goes down: a member learns it, and dialling says the relay cannot be reached.
        let member = try await transport.join(relay, identity: pki.identity, credentials: pki.server, clientAnchor: pki.ca,
                                              serving: EchoPeer())
        _ = await running.process.terminate()
        let why = await member.ended()
        #expect(why.code == .deviceNotFound || why.code == .timedOut)
        let down = await #expect(throws: HealthSyncError.self) {
            _ = try await transport.connect(through: RelayRoute(relay: relay, peer: ourID), identity: pki.identity,
                                            credentials: pki.client, anchor: .certificate(pki.ca), timeout: .seconds(15))
        }
        #expect(down?.code == .deviceNotFound)
        #expect(down?.message.contains(relay.address) == true)
    }
}
