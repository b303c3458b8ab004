import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import Testing

/// Two daemons in memory, each with its live sync running: a sample stored
/// on either side arrives on the other within two seconds (a long poll over
/// the paired connection, not the 900 s timer), in both directions.
@Suite("Live sync in memory")
struct LiveSyncTests {
    let world = World()

    /// Runs `device`'s daemon services until the returned task is cancelled.
    func daemon(_ device: WorldDevice, discoveryPort: Int) async throws -> (DaemonService.Running, Task<Void, Never>) {
        let running = try await device.application.daemon.start(
            peerEndpoint: Endpoint(host: "127.0.0.1", port: 0), apiEndpoint: Endpoint(host: "127.0.0.1", port: 0),
            advertiseHost: "127.0.0.1", discoveryPort: discoveryPort, pid: 1)
        let services = running.services(syncInterval: .seconds(900))
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { try? await service.run() } }
            }
        }
        return (running, task)
    }

    /// Polls `store` until it holds a sample with `id`, for at most `limit`; how long it took.
    func arrival(of id: String, in device: WorldDevice, within limit: Duration) async throws -> Duration? {
        let started = ContinuousClock.now
        for _ in 0..<Int(limit / .milliseconds(50)) {
            let page = try device.deps.sampleStore.query(try SampleQuery(types: [.weight], limit: 1000))
            if page.samples.contains(where: { $0.id == id }) { return ContinuousClock.now - started }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func weight(_ id: String, _ value: Double) -> HealthSample {
        HealthSample(id: id, type: .weight, value: value, unit: "kg", startDate: Date(timeIntervalSince1970: 1_790_000_000),
                     endDate: Date(timeIntervalSince1970: 1_790_000_000), sourceName: "Scale")
    }

    @Test func aChangeOnEitherSideArrivesWithinTwoSeconds() async throws {
        let phone = try world.device("phone", seed: 701), laptop = try world.device("laptop", seed: 702, keystore: .file)
        // The laptop answers discovery where the phone looks (the phone has no address for it).
        let (phoneDaemon, phoneTask) = try await daemon(phone, discoveryPort: 0)
        let (laptopDaemon, laptopTask) = try await daemon(laptop, discoveryPort: phone.deps.settings.discoveryPort)
        defer { phoneTask.cancel(); laptopTask.cancel() }
        _ = try await phone.pairByToken(laptop, advertising: phoneDaemon.info.peer)

        // Let both live syncs connect and settle into their long polls.
        try await Task.sleep(for: .seconds(3))
        try phone.deps.sampleStore.upsert([weight("from-phone", 70.1)])
        let there = try await arrival(of: "from-phone", in: laptop, within: .seconds(2))
        #expect(there != nil, "the phone's sample did not reach the laptop within 2 s")

        try laptop.deps.sampleStore.upsert([weight("from-laptop", 70.2)])
        let back = try await arrival(of: "from-laptop", in: phone, within: .seconds(2))
        #expect(back != nil, "the laptop's sample did not reach the phone within 2 s")
        // The phone found the laptop by discovery and noted where.
        let laptopRecord = try #require(try phone.peers().first)
        #expect(laptopRecord.addresses.contains { $0.source == .discovery && $0.succeededAt != nil })

        await phoneDaemon.stop()
        await laptopDaemon.stop()
    }
}
