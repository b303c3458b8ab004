import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import HealthSyncUseCases
import HealthSyncWiring
import Testing

/// DESIGN §3: certificates are renewed when less than 30 days remain, so a
/// device in regular use never meets CERT_HAS_EXPIRED.
@Suite("Certificate renewal")
struct RenewalTests {
    let world = World()
    static let day: TimeInterval = 86_400

    func pairedWithDaemon() async throws -> (phone: WorldDevice, laptop: WorldDevice, daemon: DaemonService.Running) {
        let phone = try world.device("phone", seed: 501), laptop = try world.device("laptop", seed: 502)
        _ = try phone.application.samples.generate(days: 1)
        let daemon = try await phone.application.daemon.start(
            peerEndpoint: Endpoint(host: "127.0.0.1", port: 0), apiEndpoint: Endpoint(host: "127.0.0.1", port: 0),
            advertiseHost: "127.0.0.1", pid: 1)
        _ = try await phone.pairByToken(laptop, advertising: daemon.info.peer)
        return (phone, laptop, daemon)
    }

    func clientCertificate(of device: WorldDevice) throws -> Certificate {
        let pem = try #require(try device.peers().first?.clientCertificatePEM)
        return try device.deps.crypto.parseCertificate(pem: pem)
    }

    @Test func aDeviceInRegularUseNeverMeetsAnExpiredCertificate() async throws {
        let (phone, laptop, daemon) = try await pairedWithDaemon()
        let original = try clientCertificate(of: laptop)
        let phoneEvents = phone.application.bus.subscribe(), laptopEvents = laptop.application.bus.subscribe()

        // Not due yet: nothing changes.
        world.clock.advance(by: 300 * Self.day)
        _ = try await laptop.application.fetching.fetch(types: [.steps], limit: 1)
        #expect(try clientCertificate(of: laptop) == original)
        #expect(try await daemon.renewIfDue() == false)

        // 340 days in: both the laptop's client certificate and the phone's server certificate are renewed.
        world.clock.advance(by: 40 * Self.day)
        #expect(try await daemon.renewIfDue() == true)
        _ = try await laptop.application.fetching.fetch(types: [.steps], limit: 1)
        let renewed = try clientCertificate(of: laptop)
        #expect(renewed.notAfter > original.notAfter)
        #expect(renewed.deviceID == original.deviceID)
        #expect(try phone.peers().first?.issuedSerials.count == 2)
        let ours = await firstEvent(laptopEvents) { event -> CertificateRenewal? in
            if case .certificateRenewed(let renewal) = event, renewal.kind == .ourClientCertificate { return renewal }
            return nil
        }
        #expect(ours?.deviceID == (try phone.deviceID))
        #expect(ours?.notAfter == renewed.notAfter)
        let theirs = await firstEvent(phoneEvents) { event -> CertificateRenewal? in
            if case .certificateRenewed(let renewal) = event, renewal.kind == .peerClientCertificate { return renewal }
            return nil
        }
        #expect(theirs?.deviceID == (try laptop.deviceID))

        // 400 days in, past both original certificates: the pairing still works.
        world.clock.advance(by: 60 * Self.day)
        let fetched = try await laptop.application.fetching.fetch(types: [.steps], limit: 1)
        #expect(fetched.peer.deviceID == (try phone.deviceID))
        await daemon.stop()
    }

    @Test func withoutRenewalTheOldCertificateExpires() async throws {
        let (_, laptop, daemon) = try await pairedWithDaemon()
        world.clock.advance(by: 370 * Self.day)
        let code = await errorCode { _ = try await laptop.application.fetching.fetch(types: [.steps], limit: 1) }
        #expect(code == .certHasExpired)
        await daemon.stop()
    }

    @Test func aCertificateThatIsNotDueIsNotRenewedOnRequest() async throws {
        let (phone, laptop, daemon) = try await pairedWithDaemon()
        let peer = try #require(try laptop.peers().first)
        let loaded = try laptop.application.identity.ensureIdentity()
        let credentials = TransportCredentials(key: loaded.identity.deviceKey,
                                               certificate: try clientCertificate(of: laptop))
        let connection = try await laptop.deps.transport.connect(
            to: daemon.info.peer, credentials: credentials,
            anchor: .certificate(try laptop.deps.crypto.parseCertificate(pem: peer.caCertificatePEM)),
            timeout: .seconds(1))
        let csr = try laptop.deps.crypto.makeSigningRequest(key: loaded.identity.deviceKey, commonName: "healthsync-client")
        #expect(await errorCode { _ = try await connection.renewCertificate(RenewalRequest(csr: csr, clientTime: nil), timeout: .seconds(1)) } == .invalidArgument)
        // Due, but for another key: refused.
        world.clock.advance(by: 340 * Self.day)
        let stranger = try phone.deps.crypto.makeSigningRequest(key: try phone.deps.crypto.generatePrivateKey(),
                                                                commonName: "healthsync-client")
        #expect(await errorCode { _ = try await connection.renewCertificate(RenewalRequest(csr: stranger, clientTime: nil), timeout: .seconds(1)) }
            == .deviceIDMismatch)
        #expect(try phone.peers().first?.issuedSerials.count == 1)
        await connection.close()
        await daemon.stop()
    }

    @Test func theServerCertificateIsRenewedLocallyWhenDue() throws {
        let phone = try world.device("phone", seed: 503)
        let first = try phone.application.identity.ensureIdentity()
        world.clock.advance(by: 336 * Self.day)
        let second = try phone.application.identity.ensureIdentity()
        #expect(second.serverCertificate.notAfter > first.serverCertificate.notAfter)
        #expect(second.deviceID == first.deviceID)
        #expect(second.caCertificate == first.caCertificate)
        #expect(try phone.application.identity.ensureIdentity().serverCertificate == second.serverCertificate)
    }

    @Test func theServerCertificateNamesTheCurrentAddressesAndFollowsThem() async throws {
        let phone = try world.device("phone", seed: 504)
        world.network.localAddresses = ["192.0.2.7", "fd00::7"]
        let first = try phone.application.identity.ensureIdentity().serverCertificate
        #expect(first.subjectAltNames.contains("IP:192.0.2.7") && first.subjectAltNames.contains("IP:fd00::7"))
        // OpenSSL, written by others, agrees that the certificate names the address dialled.
        let files = TemporaryDirectory("san")
        TestFiles.write(files.file("server.pem"), first.pem)
        let openssl = try #require(ProcessRunner.which("openssl"))
        let check = try await ProcessRunner.runDetached(openssl, ["x509", "-in", files.file("server.pem"), "-noout", "-checkip", "192.0.2.7"],
                                          environment: [:])
        #expect(check.standardOutput.contains("does match certificate"), "\(check.standardOutput)")
        // Unchanged addresses: the certificate is kept; moved: it is reissued for the new ones.
        #expect(try phone.application.identity.ensureIdentity().serverCertificate == first)
        world.network.localAddresses = ["198.51.100.4"]
        let moved = try phone.application.identity.ensureIdentity().serverCertificate
        #expect(moved.serial != first.serial && moved.subjectAltNames.contains("IP:198.51.100.4"))
        #expect(try phone.application.identity.ensureIdentity().serverCertificate == moved)
    }
}
