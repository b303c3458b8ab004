import Foundation
import HealthSyncDomain
import HealthSyncPorts
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
