import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import Testing

/// The daemon and its control API in memory: the CLI's client, the token,
/// the pairing session followed from outside, and unpairing through it.
@Suite("Control API in memory")
struct ControlAPITests {
    let world = World()

    func start(_ device: WorldDevice) async throws -> DaemonService.Running {
        try await device.application.daemon.start(
            peerEndpoint: Endpoint(host: "127.0.0.1", port: 0), apiEndpoint: Endpoint(host: "127.0.0.1", port: 0),
            advertiseHost: "127.0.0.1", pid: 1)
    }

    /// A client of `device`'s daemon, as the CLI finds it.
    func client(_ device: WorldDevice, _ running: DaemonService.Running) -> DaemonClient {
        device.application.daemonClient
    }

    @Test func pairingIsStartedFollowedAndAcceptedThroughTheAPI() async throws {
        let phone = try world.device("phone", seed: 1), laptop = try world.device("laptop", seed: 2)
        let running = try await start(phone)
        let api = client(phone, running)
        #expect(try await api.health().status == "ok")
        #expect(try await api.pending().state == .idle)

        let invitation = try await api.initiate()
        #expect(invitation.expiresIn == 300)
        #expect(invitation.advertised == "127.0.0.1:\(running.info.peer.port)")
        #expect(try await api.pending() == ControlPairingState(state: .waiting, code: invitation.code,
                                                               expiresAt: invitation.expiresAt))
        let join = Task { try await laptop.application.joining.join(code: invitation.code, endpoint: running.info.peer) }
        let pending = try await api.awaitPairing(past: [.waiting], interval: .milliseconds(5))
        #expect(pending.state == .pending)
        #expect(pending.request?.name == "laptop")
        #expect(pending.request?.deviceID == (try laptop.deviceID))
        try await api.respond(accept: true)
        _ = try await join.value
        let done = try await api.awaitPairing(past: [.pending, .exchanging], interval: .milliseconds(5))
        #expect(done.state == .paired)
        #expect(done.request?.deviceID == (try laptop.deviceID))

        let status = try await api.status()
        #expect(status.daemon == running.info)
        #expect(status.peers.count == 1)
        #expect(try await api.devices().devices.map(\.name) == ["laptop"])
        let unpaired = try await api.unpair("laptop")
        #expect(unpaired.devices.map(\.name) == ["laptop"])
        #expect(try phone.peers().isEmpty)
        await running.stop()
        let error = await #expect(throws: HealthSyncError.self) { _ = try await api.health() }
        #expect(error?.code == .daemonUnreachable)
    }

    @Test func aRejectionAndAnExpiryAreReportedAsFailures() async throws {
        let phone = try world.device("phone", seed: 3), laptop = try world.device("laptop", seed: 4)
        let running = try await start(phone)
        let api = client(phone, running)
        let first = try await api.initiate()
        let join = Task { try await laptop.application.joining.join(code: first.code, endpoint: running.info.peer) }
        _ = try await api.awaitPairing(past: [.waiting], interval: .milliseconds(5))
        try await api.respond(accept: false)
        await #expect(throws: HealthSyncError.self) { _ = try await join.value }
        let rejected = try await api.pending()
        #expect(rejected.state == .failed)
        #expect(rejected.error?.code == "PAIRING_REJECTED")

        _ = try await api.initiate()
        world.clock.advance(by: 301)
        let expired = try await api.pending()
        #expect(expired.state == .failed)
        #expect(expired.error?.code == "PAIRING_TOKEN_EXPIRED")
        await running.stop()
    }

    @Test func everyCallButHealthWantsTheToken() async throws {
        let phone = try world.device("phone", seed: 5)
        let running = try await start(phone)
        let token = try #require(try phone.deps.keyStore.apiToken()).bytes
        let wrong: [SecretBytes?] = [nil, SecretBytes([]), SecretBytes(token.dropLast()), SecretBytes(token + [48]),
                                     SecretBytes(token.reversed())]
        for presented in wrong {
            let link = phone.deps.control.link(to: phone.application.daemonRecord.control, token: presented)
            let calls: [(String, @Sendable () async throws -> Void)] = [
                ("status", { _ = try await link.status(timeout: .seconds(1)) }),
                ("initiate", { _ = try await link.initiatePairing(timeout: .seconds(1)) }),
                ("pending", { _ = try await link.pairingState(timeout: .seconds(1)) }),
                ("devices", { _ = try await link.devices(timeout: .seconds(1)) }),
                ("unpair", { _ = try await link.unpair("abcd", timeout: .seconds(1)) }),
                ("cancel", { try await link.cancelPairing(timeout: .seconds(1)) }),
            ]
            for (name, call) in calls {
                let error = await #expect(throws: HealthSyncError.self, "\(name)") { try await call() }
                #expect(error?.code == .apiUnauthorized, "\(name) with \(presented?.bytes.count ?? -1) bytes")
            }
            #expect(try await link.health(timeout: .seconds(1)).status == "ok")
        }
        #expect(try await client(phone, running).pending().state == .idle)
        await running.stop()
    }

    /// Issue #11: `pair --code C` with no address finds the device whose
    /// discovery answer says a pairing session is open.
    @Test func aCodeWithoutAnAddressFindsTheDeviceThatIsPairing() async throws {
        let phone = try world.device("phone", seed: 7), laptop = try world.device("laptop", seed: 8)
        let running = try await start(phone)
        // No session: nobody to try.
        let none = await #expect(throws: HealthSyncError.self) { _ = try await laptop.application.joining.join(code: "123456", host: nil) }
        #expect(none?.code == .deviceNotFound && none?.message.contains("open pairing session") == true)
        let invitation = try await phone.host.initiate(advertising: running.info.peer)
        await running.refreshAnnouncement()
        let events = phone.application.bus.subscribe()
        let host = phone.host
        let accepting = Task {
            _ = await firstEvent(events) { event -> Bool? in
                if case .pairingRequestPending = event { return true }
                return nil
            }
            try await host.respond(accept: true)
        }
        let record = try await laptop.application.joining.join(code: invitation.code, host: nil)
        try await accepting.value
        #expect(record.deviceID == (try phone.deviceID))
        // Paired, the session is over and the flag is cleared again.
        await running.refreshAnnouncement()
        let after = await #expect(throws: HealthSyncError.self) { _ = try await laptop.application.joining.join(code: "123456", host: nil) }
        #expect(after?.code == .deviceNotFound)
        await running.stop()
    }

    /// Issue #11: a running daemon advertises where it is when each session
    /// starts, not where it was when it started.
    @Test func eachSessionAdvertisesTheCurrentAddress() async throws {
        let phone = try world.device("phone", seed: 9)
        let running = try await phone.application.daemon.start(
            peerEndpoint: Endpoint(host: "127.0.0.1", port: 0), apiEndpoint: Endpoint(host: "127.0.0.1", port: 0), pid: 1)
        let api = client(phone, running)
        world.network.localAddresses = ["192.0.2.7"]
        let first = try await api.initiate()
        #expect(first.advertised == "192.0.2.7:\(running.info.peer.port)")
        #expect(first.payload.contains("\"host\":\"192.0.2.7\""))
        try await api.cancel()
        world.network.localAddresses = ["198.51.100.9"]
        #expect(try await api.initiate().advertised == "198.51.100.9:\(running.info.peer.port)")
        await running.stop()
    }

    @Test func theControlAPIListensOnlyOnLoopback() async throws {
        let phone = try world.device("phone", seed: 6)
        let error = await #expect(throws: HealthSyncError.self) {
            _ = try await phone.application.daemon.start(
                peerEndpoint: Endpoint(host: "127.0.0.1", port: 0), apiEndpoint: Endpoint(host: "0.0.0.0", port: 0),
                advertiseHost: "127.0.0.1", pid: 1)
        }
        #expect(error?.code == .configInvalid)
    }
}
