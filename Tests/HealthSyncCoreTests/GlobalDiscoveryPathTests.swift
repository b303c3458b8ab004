import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import Testing

/// Global discovery in memory (`GlobalDiscoveryContractTests` and the
/// namespace tests use a real stdiscosrv): the phone's daemon announces
/// where it listens, again when that changes, and the laptop, whose known
/// address no longer answers, asks the server by the phone's ID.
@Suite("Through a global discovery server, in memory")
struct GlobalDiscoveryPathTests {
    let world = World()
    static let serverID = "OQA5ZST-W7EA5ES-GO7QJTC-SHU7GS2-6HKOV6H-RVRRHXE-5Y5EZL7-SQVJCAS"
    static let server = "https://198.51.100.8:8443/v2/?id=\(serverID)"

    func daemon(_ device: WorldDevice) async throws -> (DaemonService.Running, Task<Void, Never>) {
        let running = try await device.application.daemon.start(
            peerEndpoint: Endpoint(host: "::", port: 0), apiEndpoint: Endpoint(host: "127.0.0.1", port: 0),
            advertiseHost: "127.0.0.1", discoveryPort: 0, pid: 1)
        let services = running.services(syncInterval: nil)
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { try? await service.run() } }
            }
        }
        return (running, task)
    }

    /// Waits for the daemon to say the server took its addresses, with the port it listens on.
    /// (At most 10 s: a daemon that never announces fails the test, not the run.)
    func announced(_ events: AsyncStream<Event>, port: Int) async -> [String]? {
        await withTaskGroup(of: [String]?.self) { group in
            group.addTask {
                await firstEvent(events) { event -> [String]? in
                    if case .reachServerJoined(let server, let addresses) = event, server.hasPrefix("https://"),
                       addresses.contains("tcp://:\(port)") { return addresses }
                    return nil
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
    }

    @Test func aLaptopFindsThePhoneByItsIDAfterItMoved() async throws {
        let phone = try world.device("phone", seed: 921, discovery: [Self.server])
        let laptop = try world.device("laptop", seed: 922, discovery: [Self.server])
        _ = try phone.application.samples.generate(days: 1)
        let events = phone.application.bus.subscribe()
        var (running, services) = try await daemon(phone)
        #expect(await announced(events, port: running.info.peer.port) != nil)
        _ = try await phone.pairByToken(laptop, advertising: running.info.peer)

        // The phone's daemon comes back on another port (as after a move): the old address is silent.
        services.cancel()
        await running.stop()
        (running, services) = try await daemon(phone)
        defer { services.cancel() }
        #expect(await announced(events, port: running.info.peer.port) != nil)
        let laptopEvents = laptop.application.bus.subscribe()
        let fetched = try await laptop.application.fetching.fetch(types: [.steps], limit: 1)
        #expect(fetched.peer.deviceID == (try phone.deviceID))
        let move = await firstEvent(laptopEvents) { event -> PeerMove? in
            if case .peerMoved(let move) = event { return move }
            return nil
        }
        #expect(move?.source == .globalDiscovery)
        #expect(move?.reached == "localhost:\(running.info.peer.port)")

        // The server goes away: known addresses are still tried, and the error says what did not answer.
        world.network.setDiscoveryServer(Endpoint(host: "198.51.100.8", port: 8443), up: false)
        services.cancel()
        await running.stop()
        let gone = await #expect(throws: HealthSyncError.self) {
            _ = try await laptop.application.fetching.fetch(types: [.steps], limit: 1)
        }
        #expect(gone?.code == .deviceNotFound || gone?.code == .timedOut)
    }
}
