import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import ManualClock
import Testing

/// The same stories over the loopback transport and over real TLS 1.3 on
/// 127.0.0.1 (ports chosen by the OS): only the transport adapter changes.
@Suite("Transports behave alike")
struct TransportParityTests {
    static let transports: [Config.TransportAdapter] = [.loopback, .openssl]

    @Test(arguments: transports)
    func pairByTokenAndCodeThenFetchAndRevoke(_ transport: Config.TransportAdapter) async throws {
        var world = World()
        world.transport = transport
        let a = try world.device("phone", seed: 301), b = try world.device("mac", seed: 302), c = try world.device("tablet", seed: 303)
        let listener = try await a.serve()
        #expect(listener.endpoint.port != 0)
        _ = try a.application.samples.generate(days: 1)
        _ = try await a.pairByToken(b, advertising: listener.endpoint)
        _ = try await a.pairByCode(c, at: listener.endpoint)
        #expect(try a.peers().count == 2)
        #expect(try await b.application.fetching.fetch(types: [.steps], limit: 7).samples.count == 7)
        #expect(try await c.application.fetching.fetch(types: [.heartRate], limit: 48).samples.count == 48)
        _ = try await a.application.unpairing.unpair(try c.deviceID.hex)
        #expect(await errorCode { _ = try await c.application.fetching.fetch(types: [.steps], limit: 1) } == .certRevoked)
        #expect(try await b.application.fetching.fetch(types: [.steps], limit: 1).samples.count == 1)
        await listener.close()
    }

    @Test(arguments: transports)
    func refusalsHaveTheSameCodes(_ transport: Config.TransportAdapter) async throws {
        var world = World()
        world.transport = transport
        let serverClock = ManualClock(world.clock.now())
        let a = try world.device("phone", seed: 311, clock: serverClock), b = try world.device("mac", seed: 312)
        let d = try world.device("watch", seed: 313)
        let listener = try await a.serve()
        _ = try await a.pairByToken(b, advertising: listener.endpoint)
        serverClock.advance(by: 400 * 86_400)
        #expect(await errorCode { _ = try await b.application.fetching.fetch(types: [.steps], limit: 1) } == .certHasExpired)
        serverClock.set(world.clock.now())

        // A wrong code refuses that attempt only; the right one then pairs.
        let invitation = try await a.host.initiate(advertising: listener.endpoint)
        let wrong = invitation.code == "271828" ? "314159" : "271828"
        #expect(await errorCode { _ = try await a.joinByCode(d, at: listener.endpoint, code: wrong) } == .invalidPairingCode)
        _ = try await a.joinByCode(d, at: listener.endpoint, code: invitation.code)

        // Nothing listening.
        await listener.close()
        let closed = Endpoint(host: "127.0.0.1", port: listener.endpoint.port)
        #expect(await errorCode { _ = try await b.application.fetching.fetch(types: [.steps], limit: 1, host: closed.description) }
            == .deviceNotFound)
    }
}
