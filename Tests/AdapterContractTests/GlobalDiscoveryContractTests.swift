import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import LoopbackTransport
import OpenSSLCrypto
import SyncthingGlobalDiscovery
import Testing

/// The `GlobalDiscovery` port: against a real `stdiscosrv` on loopback
/// (Debian's syncthing-discosrv), and in memory at parity. Announcing and
/// looking up are checked with curl too, a client nobody here wrote.
@Suite("Global discovery contract")
struct GlobalDiscoveryContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case syncthing, loopback
        var testDescription: String { rawValue }
    }

    let pki: TestPKI
    let folder = TemporaryDirectory("global-discovery")

    init() throws { pki = try TestPKI() }

    /// The adapter of `kind` and a server it talks to.
    func make(_ kind: Kind) async throws -> (any GlobalDiscovery, ReachServer, SyncthingServers.Discovery?)? {
        switch kind {
        case .loopback:
            let id = SyncthingDeviceID(certificateFingerprint: pki.strangerCA.fingerprint)
            return (LoopbackGlobalDiscovery(network: LoopbackNetwork()),
                    ReachServer(kind: .discovery, endpoint: Endpoint(host: "127.0.0.1", port: 8443), path: "/v2/", id: id), nil)
        case .syncthing:
            guard let running = try await SyncthingServers.discovery(folder: folder.path) else { return nil }
            return (try SyncthingGlobalDiscovery(crypto: pki.crypto), try ReachServer(parsing: running.url, as: .discovery), running)
        }
    }

    var ourID: SyncthingDeviceID { SyncthingDeviceID(certificateFingerprint: pki.identity.certificate.fingerprint) }

    @Test(arguments: Kind.allCases)
    func anAnnouncedDeviceIsFoundByItsID(_ kind: Kind) async throws {
        guard let (discovery, server, running) = try await make(kind) else {
            Issue.record("stdiscosrv is not installed (apt-get install syncthing-discosrv): global discovery is untested")
            return
        }
        defer { if let running { Task { _ = await running.process.terminate() } } }
        let relay = "relay://10.99.0.1:22067/?id=\(SyncthingDeviceID(certificateFingerprint: pki.strangerCA.fingerprint))"
        let addresses = [GlobalAddress(parsing: "tcp://10.1.2.3:8443")!, GlobalAddress(parsing: "tcp://[fd00::7]:8443")!,
                         GlobalAddress(parsing: relay)!]
        #expect(try await discovery.lookup(ourID, on: server, timeout: .seconds(5)).isEmpty)

        let receipt = try await discovery.announce(addresses, to: server, identity: pki.identity, timeout: .seconds(5))
        #expect(receipt.accepted)
        #expect(receipt.again >= .seconds(10) && receipt.again <= .seconds(3600))
        let found = try await discovery.lookup(ourID, on: server, timeout: .seconds(5))
        #expect(Set(found) == Set(addresses))

        // Announcing again is accepted (stdiscosrv keeps the addresses of
        // earlier announcements until they expire, the in-memory one replaces them).
        let again = try await discovery.announce([addresses[0]], to: server, identity: pki.identity, timeout: .seconds(5))
        #expect(again.accepted)
        #expect(try await discovery.lookup(ourID, on: server, timeout: .seconds(5)).contains(addresses[0]))

        guard running != nil else { return }
        // curl sees what we announced, under the ID Syncthing's form gives it.
        let port = server.endpoint.port
        let curl = try await ProcessRunner.runDetached("/usr/bin/curl", ["-sk", "https://127.0.0.1:\(port)/v2/?device=\(ourID)"], environment: [:])
        #expect(curl.standardOutput.contains("tcp://10.1.2.3:8443"), "\(curl.standardOutput)")
    }

    @Test func aServerThatIsNotThePinnedOneIsToldNothing() async throws {
        guard let (discovery, server, running) = try await make(.syncthing), let running else {
            Issue.record("stdiscosrv is not installed (apt-get install syncthing-discosrv): the pin is untested")
            return
        }
        defer { Task { _ = await running.process.terminate() } }
        let impostor = ReachServer(kind: .discovery, endpoint: server.endpoint, path: server.path,
                                   id: SyncthingDeviceID(certificateFingerprint: pki.strangerCA.fingerprint))
        let refused = await #expect(throws: HealthSyncError.self) {
            _ = try await discovery.announce([GlobalAddress(parsing: "tcp://10.1.2.3:8443")!], to: impostor,
                                             identity: pki.identity, timeout: .seconds(5))
        }
        #expect(refused?.code == .fingerprintMismatch)
        #expect(refused?.hint.contains("reach.discovery") == true)
        // Nothing was announced: the server itself does not know us.
        let curl = try await ProcessRunner.runDetached("/usr/bin/curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}",
                                                           "https://127.0.0.1:\(server.endpoint.port)/v2/?device=\(ourID)"], environment: [:])
        #expect(curl.standardOutput == "404")
        let lookup = await #expect(throws: HealthSyncError.self) {
            _ = try await discovery.lookup(ourID, on: impostor, timeout: .seconds(5))
        }
        #expect(lookup?.code == .fingerprintMismatch)
    }

    @Test func aServerThatIsDownIsAClearError() async throws {
        let discovery = try SyncthingGlobalDiscovery(crypto: pki.crypto)
        let server = ReachServer(kind: .discovery, endpoint: Endpoint(host: "127.0.0.1", port: SyncthingServers.freePort()),
                                 path: "/v2/", id: ourID)
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await discovery.lookup(ourID, on: server, timeout: .seconds(2))
        }
        #expect(error?.code == .deviceNotFound)
        #expect(error?.message.contains("https://127.0.0.1:") == true)
    }

    /// `hostile_discovery.py` in `mode`, with a certificate our pin accepts.
    func hostile(_ mode: String) async throws -> (ReachServer, BackgroundProcess) {
        let cert = folder.file("\(mode)-cert.pem"), key = folder.file("\(mode)-key.pem")
        let made = try await ProcessRunner.runDetached("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                                              "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=disco", "-days", "2"],
                                         environment: [:])
        try #require(made.status == 0, "\(made.standardError)")
        let certificate = try pki.crypto.parseCertificate(pem: try String(contentsOfFile: cert, encoding: .utf8))
        let port = SyncthingServers.freePort()
        let process = try BackgroundProcess("/usr/bin/python3", [Fixtures.path("scripts/hostile_discovery.py"), cert, key, "\(port)", mode],
                                            environment: [:])
        try #require(await process.firstLine(containing: "ready") != nil, "the hostile discovery server did not start")
        return (ReachServer(kind: .discovery, endpoint: Endpoint(host: "127.0.0.1", port: port), path: "/v2/",
                            id: SyncthingDeviceID(certificateFingerprint: certificate.fingerprint)), process)
    }

    @Test func aHostileServersAnswersAreBoundedAndRefused() async throws {
        let discovery = try SyncthingGlobalDiscovery(crypto: pki.crypto)

        let (huge, hugeProcess) = try await hostile("huge")
        let tooLarge = await #expect(throws: HealthSyncError.self) {
            _ = try await discovery.lookup(ourID, on: huge, timeout: .seconds(5))
        }
        #expect(tooLarge?.code == .payloadTooLarge)
        _ = await hugeProcess.terminate()

        let (garbage, garbageProcess) = try await hostile("garbage")
        let malformed = await #expect(throws: HealthSyncError.self) {
            _ = try await discovery.lookup(ourID, on: garbage, timeout: .seconds(5))
        }
        #expect(malformed?.code == .protocolError)
        // A Reannounce-After that is no number of seconds: the default, not a busy loop.
        let sane = try await discovery.announce([.source(port: 8443)], to: garbage, identity: pki.identity, timeout: .seconds(5))
        #expect(sane.accepted && sane.again == .seconds(1800))
        _ = await garbageProcess.terminate()

        let (many, manyProcess) = try await hostile("many")
        let found = try await discovery.lookup(ourID, on: many, timeout: .seconds(5))
        #expect(found.count <= GlobalAddress.maxCount)
        #expect(found.allSatisfy { GlobalAddress(parsing: $0.description) == $0 && !$0.isSourceRelative })
        _ = await manyProcess.terminate()

        // A server that asks for silence for 31 years: an hour at most. A lookup it refuses (429) is an error, said so.
        let (eager, eagerProcess) = try await hostile("eager")
        let long = try await discovery.announce([.source(port: 8443)], to: eager, identity: pki.identity, timeout: .seconds(5))
        #expect(long.accepted && long.again == .seconds(3600))
        let slowed = await #expect(throws: HealthSyncError.self) {
            _ = try await discovery.lookup(ourID, on: eager, timeout: .seconds(5))
        }
        #expect(slowed?.code == .protocolError && slowed?.message.contains("429") == true)
        _ = await eagerProcess.terminate()
    }
}
