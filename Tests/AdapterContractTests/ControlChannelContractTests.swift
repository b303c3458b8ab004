import Foundation
import HealthSyncDomain
import HealthSyncPorts
import LoopbackTransport
import NIOControlChannel
import Synchronization
import Testing

enum ControlChannelKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case http, loopback

    var testDescription: String { rawValue }

    func make() -> any ControlChannel {
        switch self {
        case .http: NIOControlChannel()
        case .loopback: LoopbackControlChannel(network: LoopbackNetwork())
        }
    }
}

/// A daemon that records what reached it: answers `respond` and `join`
/// (waiting `holdMilliseconds` first), and `status` with its count of calls.
final class StubDaemon: DaemonRequests {
    private let answers = Mutex<[Bool]>([])
    let holdMilliseconds: Int

    init(holdMilliseconds: Int = 0) { self.holdMilliseconds = holdMilliseconds }

    var received: [Bool] { answers.withLock { $0 } }

    func health() async -> ControlHealth { ControlHealth(status: "ok", version: "test") }
    func status() async throws -> StatusReport { throw HealthSyncError(.notPaired) }
    func initiatePairing() async throws -> ControlInvitation { throw HealthSyncError(.pairingBusy) }
    func pairingState() async -> ControlPairingState { ControlPairingState(state: .idle) }
    func respond(accept: Bool) async throws { answers.withLock { $0.append(accept) } }
    func cancelPairing() async {}

    func join(_ join: ControlJoin) async throws -> PairedReport {
        try await Task.sleep(for: .milliseconds(holdMilliseconds))
        guard let id = DeviceID(bytes: Array(repeating: 7, count: 32)) else { throw HealthSyncError(.protocolError) }
        return PairedReport(name: join.code ?? "payload", deviceID: id, address: join.host)
    }

    func devices() async throws -> DevicesReport { DevicesReport(devices: []) }
    func unpair(_ selector: String) async throws -> UnpairReport {
        throw HealthSyncError(.unknownDevice, "No device \(selector)")
    }
}

@Suite("ControlChannel contract")
struct ControlChannelContractTests {
    static let local = Endpoint(host: "127.0.0.1", port: 0)
    static let token = SecretBytes(utf8: "0123456789abcdef")

    @Test(arguments: ControlChannelKind.allCases)
    func callsReachTheDaemonOnlyWithItsToken(_ kind: ControlChannelKind) async throws {
        let channel = kind.make(), daemon = StubDaemon()
        let listener = try await channel.serve(on: Self.local, token: Self.token, requests: daemon)
        #expect(listener.endpoint.port != 0)
        let link = channel.link(to: listener.endpoint, token: Self.token)
        try await link.respond(accept: true, timeout: .seconds(2))
        let joined = try await link.join(ControlJoin(code: "123456", host: "192.0.2.1:8443"), timeout: .seconds(2))
        #expect(joined.name == "123456" && joined.address == "192.0.2.1:8443")
        // A name with characters a path cannot hold travels intact; the daemon's error comes back as itself.
        let unknown = await #expect(throws: HealthSyncError.self) { _ = try await link.unpair("my phone/ä?%", timeout: .seconds(2)) }
        #expect(unknown?.code == .unknownDevice && unknown?.message == "No device my phone/ä?%")
        for wrong in [nil, SecretBytes(utf8: "0123456789abcdeF"), SecretBytes(utf8: "")] {
            let intruder = channel.link(to: listener.endpoint, token: wrong)
            let refused = await #expect(throws: HealthSyncError.self) { try await intruder.respond(accept: false, timeout: .seconds(2)) }
            #expect(refused?.code == .apiUnauthorized)
            #expect(try await intruder.health(timeout: .seconds(2)).status == "ok")
        }
        #expect(daemon.received == [true])
        await listener.close()
    }

    @Test(arguments: ControlChannelKind.allCases)
    func oversizedRequestsAreRefusedBeforeTheDaemon(_ kind: ControlChannelKind) async throws {
        let channel = kind.make()
        let listener = try await channel.serve(on: Self.local, token: Self.token, requests: StubDaemon())
        let huge = String(repeating: " ", count: 256 * 1024 + 1)
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await channel.link(to: listener.endpoint, token: Self.token).join(ControlJoin(payload: huge), timeout: .seconds(5))
        }
        #expect(error?.code == .payloadTooLarge)
        await listener.close()
    }

    @Test(arguments: ControlChannelKind.allCases)
    func aDaemonThatDoesNotAnswerInTimeIsUnreachable(_ kind: ControlChannelKind) async throws {
        let channel = kind.make()
        let listener = try await channel.serve(on: Self.local, token: Self.token, requests: StubDaemon(holdMilliseconds: 1500))
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await channel.link(to: listener.endpoint, token: Self.token).join(ControlJoin(code: "1"), timeout: .milliseconds(200))
        }
        #expect(error?.code == .daemonUnreachable)
        await listener.close()
    }

    @Test(arguments: ControlChannelKind.allCases)
    func nothingListeningIsDaemonUnreachable(_ kind: ControlChannelKind) async throws {
        let channel = kind.make()
        let listener = try await channel.serve(on: Self.local, token: Self.token, requests: StubDaemon())
        let endpoint = listener.endpoint
        await listener.close()
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await channel.link(to: endpoint, token: nil).health(timeout: .seconds(2))
        }
        #expect(error?.code == .daemonUnreachable)
    }
}
