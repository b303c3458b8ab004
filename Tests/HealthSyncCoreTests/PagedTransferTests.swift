import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import Testing

/// Fetch and sync across several pages, with the next page asked for while
/// the current one is handled: every sample once, in order, and a fetch
/// handed page by page gives what a collected fetch gives.
@Suite("Paged fetch and sync in memory")
struct PagedTransferTests {
    let world = World()

    static func samples(_ count: Int) -> [HealthSample] {
        let start = Date(millisecondsSince1970: 1_790_000_000_000)
        return (0..<count).map { index -> HealthSample in
            let heart = index % 3 == 0
            let begins = start.addingTimeInterval(Double(index) * 60)
            return HealthSample(id: String(format: "s%06d", index), type: heart ? .heartRate : .steps, value: Double(index),
                                unit: heart ? "count/min" : "count", startDate: begins, endDate: begins.addingTimeInterval(30),
                                sourceName: "Watch", metadata: [:])
        }
    }

    /// A phone holding `count` samples and a laptop paired with it.
    func paired(holding count: Int, seed: UInt64, laptopProcess: ProcessKind = .service) async throws
        -> (phone: WorldDevice, laptop: WorldDevice, listener: any TransportListener, stored: [HealthSample]) {
        let phone = try world.device("phone", seed: seed)
        let laptop = try world.device("laptop", seed: seed + 1, process: laptopProcess)
        let listener = try await phone.serve()
        _ = try await phone.pairByToken(laptop, advertising: listener.endpoint)
        let stored = Self.samples(count)
        try phone.deps.sampleStore.upsert(stored)
        return (phone, laptop, listener, stored)
    }

    @Test func aFetchOfSeveralPagesComesPageByPageInOrder() async throws {
        let (_, laptop, listener, stored) = try await paired(holding: SampleQuery.maxPageSize * 2 + 500, seed: 661)
        var pages: [[HealthSample]] = []
        let fetched = try await laptop.application.fetching.fetch(types: [.heartRate, .steps], limit: stored.count - 100) {
            pages.append($0)
        }
        #expect(fetched.count == stored.count - 100)
        #expect(pages.map(\.count) == [SampleQuery.maxPageSize, SampleQuery.maxPageSize, 400])
        #expect(pages.flatMap { $0 } == Array(stored.prefix(stored.count - 100)))
        let collected = try await laptop.application.fetching.fetch(types: [.heartRate, .steps], limit: stored.count - 100)
        #expect(collected.samples == pages.flatMap { $0 })
        // A page handler that fails stops the fetch with its error.
        struct Stop: Error {}
        await #expect(throws: Stop.self) {
            _ = try await laptop.application.fetching.fetch(types: [.steps], limit: stored.count) { _ in throw Stop() }
        }
        await listener.close()
    }

    /// In a command the first sync is one stream into the empty store; in a
    /// daemon (a service) page by page; the syncs after it page by page in both.
    @Test(arguments: [ProcessKind.command, .service])
    func aSyncOfSeveralPagesStoresEachOnceAndResumes(_ process: ProcessKind) async throws {
        let (phone, laptop, listener, stored) = try await paired(holding: SampleChanges.maxLimit * 2 + 7, seed: 663,
                                                                 laptopProcess: process)
        #expect(laptop.deps.settings.bulkFirstSync == (process == .command))
        let report = try await laptop.application.syncing.sync()
        #expect(report.devices.map(\.received) == [stored.count])
        #expect(try laptop.deps.sampleStore.count(types: nil) == stored.count)
        let phoneID = try #require(report.devices.first?.deviceID)
        #expect(try laptop.deps.sampleStore.syncRecord(for: phoneID).received == stored.count)
        #expect(try laptop.deps.sampleStore.syncPosition(for: phoneID) == phone.deps.sampleStore.latestSequence())
        #expect(try await laptop.application.syncing.sync().devices.map(\.received) == [0])
        // The next syncs go page by page.
        try phone.deps.sampleStore.upsert(Array(Self.samples(stored.count + 5).suffix(5)))
        #expect(try await laptop.application.syncing.sync().devices.map(\.received) == [5])
        #expect(try laptop.deps.sampleStore.syncRecord(for: phoneID).received == stored.count + 5)
        #expect(try laptop.deps.sampleStore.syncPosition(for: phoneID) == phone.deps.sampleStore.latestSequence())
        await listener.close()
    }
}
