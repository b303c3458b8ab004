import Foundation
import HealthSyncDomain
import HealthSyncPorts
import LoopbackTransport
import Testing
import UDPLocalDiscovery

enum LocalDiscoveryKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case udp, loopback

    var testDescription: String { rawValue }

    func make() -> any LocalDiscovery {
        switch self {
        case .udp: UDPLocalDiscovery()
        case .loopback: LoopbackLocalDiscovery(network: LoopbackNetwork())
        }
    }
}

/// Probes go to 127.0.0.1 only: tests never reach another address.
@Suite("LocalDiscovery contract")
struct LocalDiscoveryContractTests {
    static let id = DeviceID(bytes: Array(repeating: 7, count: 32))!

    @Test(arguments: LocalDiscoveryKind.allCases)
    func aProbeFindsTheAnsweringDeviceOnce(_ kind: LocalDiscoveryKind) async throws {
        let discovery = kind.make()
        let announcement = DiscoveryAnnouncement(name: "phone", deviceID: Self.id, port: 8443, version: "1.0.0")
        let answering = try await discovery.answer(on: Endpoint(host: "127.0.0.1", port: 0), with: announcement)
        #expect(answering.endpoint.port != 0)
        let target = Endpoint(host: "127.0.0.1", port: answering.endpoint.port)
        let found = try await discovery.probe([target, target], timeoutMilliseconds: 300)
        #expect(found == [DiscoveredDevice(announcement: announcement, host: "127.0.0.1")])
        await answering.close()
        #expect(try await discovery.probe([target], timeoutMilliseconds: 200).isEmpty)
    }

    @Test(arguments: LocalDiscoveryKind.allCases)
    func malformedAnswersAreIgnored(_ kind: LocalDiscoveryKind) async throws {
        let discovery = kind.make()
        let silly = DiscoveryAnnouncement(name: String(repeating: "x", count: 65), deviceID: Self.id, port: 8443, version: "1")
        let answering = try await discovery.answer(on: Endpoint(host: "127.0.0.1", port: 0), with: silly)
        let found = try await discovery.probe([Endpoint(host: "127.0.0.1", port: answering.endpoint.port)],
                                              timeoutMilliseconds: 300)
        #expect(found.isEmpty)
        await answering.close()
    }

    @Test(arguments: LocalDiscoveryKind.allCases)
    func broadcastTargetsIncludeTheLoopback(_ kind: LocalDiscoveryKind) {
        let targets = kind.make().broadcastTargets(port: 9779)
        #expect(targets.contains(Endpoint(host: "127.0.0.1", port: 9779)))
        #expect(targets.allSatisfy { $0.port == 9779 })
    }
}
