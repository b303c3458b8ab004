import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import HealthSyncUseCases
import HealthSyncWiring
import Testing

/// Two devices with no direct path, one relay both are configured with
/// (in memory; `RelayTransportTests` and the namespace tests use a real
/// strelaysrv): pairing by token goes through the relay named in the
/// payload, and fetch and sync find the device there afterwards.
@Suite("Through a relay, in memory")
struct RelayPathTests {
    let world = World()
    static let relayID = "OQA5ZST-W7EA5ES-GO7QJTC-SHU7GS2-6HKOV6H-RVRRHXE-5Y5EZL7-SQVJCAS"
    static let relay = "relay://198.51.100.7:22067/?id=\(relayID)&pingInterval=1m0s&networkTimeout=2m0s"
    /// No device listens here: the direct path fails.
    static let nowhere = Endpoint(host: "127.0.0.1", port: 1)

    @Test func pairingFetchAndSyncGoThroughTheRelayWhenNoAddressAnswers() async throws {
        let phone = try world.device("phone", seed: 901, relays: [Self.relay])
        let laptop = try world.device("laptop", seed: 902, relays: [Self.relay])
        let relay = try ReachServer(parsing: Self.relay, as: .relay)
        let membership = try await phone.application.peerService.join(relay)
        try phone.deps.sampleStore.upsert([HealthSample(
            id: "w1", type: .weight, value: 70.5, unit: "kg", startDate: Date(timeIntervalSince1970: 1_790_000_000),
            endDate: Date(timeIntervalSince1970: 1_790_000_000), sourceName: "Scale")])

        let invitation = try await phone.host.initiate(advertising: Self.nowhere)
        #expect(invitation.payload.relay == relay.description)
        let paired = try await laptop.application.joining.join(payloadText: invitation.qrText)
        #expect(paired.name == "phone")
        #expect(paired.addresses.contains { $0.address == relay.description && $0.succeededAt != nil })

        let fetched = try await laptop.application.fetching.fetch(types: [.weight], limit: 10)
        #expect(fetched.samples.map(\.id) == ["w1"])
        let report = try await SyncService(laptop.deps).sync()
        #expect(report.devices.count == 1 && report.devices.allSatisfy { $0.error == nil })

        // The relay goes down: a clear error naming it, nothing else lost.
        world.network.setRelay(relay.endpoint, up: false)
        let down = await #expect(throws: HealthSyncError.self) {
            _ = try await laptop.application.fetching.fetch(types: [.weight], limit: 10)
        }
        #expect(down?.code == .deviceNotFound)
        #expect(down?.message.contains("relay://198.51.100.7:22067") == true)
        #expect(try laptop.peers().count == 1)
        await membership.close()
    }

    /// The phone's daemon with its services running (the relay presence among them) until the task is cancelled.
    func daemon(_ device: WorldDevice) async throws -> (DaemonService.Running, Task<Void, Never>) {
        let running = try await device.application.daemon.start(
            peerEndpoint: Endpoint(host: "127.0.0.1", port: 0), apiEndpoint: Endpoint(host: "127.0.0.1", port: 0),
            advertiseHost: Self.nowhere.host, discoveryPort: 0, pid: 1)
        let services = running.services(syncInterval: nil)
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { try? await service.run() } }
            }
        }
        return (running, task)
    }

    /// The server certificate `laptop` is shown when it reaches the phone through `relay`.
    func presented(to laptop: WorldDevice, through relay: String) async throws -> SHA256Fingerprint? {
        let peer = try #require(try laptop.peers().first)
        let route = RelayRoute(relay: try ReachServer(parsing: relay, as: .relay),
                               peer: SyncthingDeviceID(certificateFingerprint: peer.caFingerprint))
        let loaded = try laptop.application.identity.ensureIdentity()
        let link = try await laptop.deps.transport.connect(
            through: route, identity: TransportCredentials(key: loaded.identity.caKey, certificate: loaded.caCertificate),
            credentials: TransportCredentials(key: loaded.identity.deviceKey,
                                              certificate: try laptop.deps.crypto.parseCertificate(pem: try #require(peer.clientCertificatePEM))),
            anchor: .none, timeout: .seconds(15))
        defer { Task { await link.close() } }
        return link.info.peer.leaf?.fingerprint
    }

    /// With the in-memory relay, and again with a real `strelaysrv` on
    /// 127.0.0.1 and real TLS (the injected clock moves; the relay does not
    /// judge certificate dates).
    @Test(arguments: [Config.TransportAdapter.loopback, .openssl])
    func certificatesAreRenewedThroughTheRelayAndTheDaemonPresentsItsNewOne(_ transport: Config.TransportAdapter) async throws {
        let keys = TemporaryDirectory("renewal-relay")
        var relayURI = Self.relay
        var world = self.world
        var strelaysrv: SyncthingServers.Relay?
        if transport == .openssl {
            guard let running = try await SyncthingServers.relay(folder: keys.path) else {
                Issue.record("strelaysrv is not installed (apt-get install syncthing-relaysrv): renewal through it is untested")
                return
            }
            strelaysrv = running
            relayURI = running.uri
            world = World(transport: .openssl)
        }
        defer { if let strelaysrv { Task { _ = await strelaysrv.process.terminate() } } }
        // Real sockets need a state folder (the daemon's control socket lives there).
        let keystore: Config.KeyStoreAdapter = transport == .openssl ? .file : .memory
        let phone = try world.device("phone", seed: 903, keystore: keystore, relays: [relayURI])
        let laptop = try world.device("laptop", seed: 904, keystore: keystore, relays: [relayURI])
        let (running, services) = try await daemon(phone)
        defer { services.cancel() }
        let events = phone.application.bus.subscribe()
        // Joined once the presence service says so.
        _ = await firstEvent(events) { event -> Bool? in
            if case .reachServerJoined(let server, _) = event, server.hasPrefix("relay://") { return true }
            return nil
        }
        _ = try phone.application.samples.generate(days: 1)
        _ = try await phone.pairByToken(laptop, advertising: Self.nowhere)
        let original = try #require(try laptop.peers().first?.clientCertificatePEM)
        let servedBefore = try await presented(to: laptop, through: relayURI)

        // 340 days on: the laptop renews its client certificate through the relay;
        // the phone renews its server certificate and joins the relay again to present it.
        world.clock.advance(by: 340 * 86_400)
        #expect(try await running.renewIfDue())
        let renewedServer = try phone.application.identity.ensureIdentity().serverCertificate.fingerprint
        var served = servedBefore
        for _ in 0..<100 where served != renewedServer {
            try await Task.sleep(for: .milliseconds(20))
            served = try? await presented(to: laptop, through: relayURI)
        }
        #expect(served == renewedServer && served != servedBefore)
        _ = try await laptop.application.fetching.fetch(types: [.steps], limit: 1)
        let renewedClient = try #require(try laptop.peers().first?.clientCertificatePEM)
        #expect(renewedClient != original)

        // 400 days on, past both first certificates: the relayed pairing still works.
        world.clock.advance(by: 60 * 86_400)
        let fetched = try await laptop.application.fetching.fetch(types: [.steps], limit: 1)
        #expect(fetched.peer.deviceID == (try phone.deviceID))
        await running.stop()
    }

    @Test func aRelayThatIsDownLeavesDirectPathsAlone() async throws {
        let phone = try world.device("phone", seed: 905, relays: [Self.relay])
        let laptop = try world.device("laptop", seed: 906, relays: [Self.relay])
        let relay = try ReachServer(parsing: Self.relay, as: .relay)
        world.network.setRelay(relay.endpoint, up: false)
        let events = phone.application.bus.subscribe()
        let (running, services) = try await daemon(phone)
        defer { services.cancel() }
        // The daemon says once that the relay cannot be reached, and keeps serving directly.
        let failure = await firstEvent(events) { event -> HealthSyncError? in
            if case .failed(let error) = event, error.message.contains("relay://198.51.100.7:22067") { return error }
            return nil
        }
        #expect(failure?.code == .deviceNotFound)
        _ = try phone.application.samples.generate(days: 1)
        _ = try await phone.pairByToken(laptop, advertising: running.info.peer)
        let fetched = try await laptop.application.fetching.fetch(types: [.steps], limit: 1)
        #expect(fetched.peer.deviceID == (try phone.deviceID))
        let synced = try await SyncService(laptop.deps).sync()
        #expect(synced.devices.allSatisfy { $0.error == nil })
        await running.stop()
    }

    @Test func aPayloadWithARelayThatIsNotARelayURLIsRefused() throws {
        let relay = try ReachServer(parsing: Self.relay, as: .relay)
        let payload = PairingPayload(endpoint: Endpoint(host: "192.168.1.20", port: 8443), code: "123456",
                                     token: [UInt8](repeating: 7, count: 16), expiresAt: Date(timeIntervalSince1970: 1_790_000_300),
                                     caFingerprint: SHA256Fingerprint(bytes: [UInt8](repeating: 0xab, count: 32))!, relay: relay)
        let parsed = try PairingPayload(parsing: payload.text)
        #expect(parsed.relayRoute == RelayRoute(relay: relay, peer: SyncthingDeviceID(certificateFingerprint: payload.certificateFingerprint)))
        for bad in ["http://198.51.100.7:22067/?id=\(Self.relayID)", "relay://198.51.100.7/?id=\(Self.relayID)",
                    "relay://198.51.100.7:22067/?id=NOTANID", "relay://198.51.100.7:22067/"] {
            let text = payload.text.replacingOccurrences(of: relay.description, with: bad)
            #expect(throws: HealthSyncError.self) { try PairingPayload(parsing: text) }
        }
    }
}
