import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import SQLiteSampleStore
import Testing

@Suite("SampleStore contract: batches")
struct SampleStoreBatchContractTests {
    typealias Fixture = SampleStoreContractTests

    struct Stop: Error {}

    static let batches: [[HealthSample]] = [
        [Fixture.sample("old", .steps, minute: 0), Fixture.sample("new", .weight, minute: 1)],
        [Fixture.sample("new", .weight, minute: 1), Fixture.sample("old", .steps, minute: 0, value: 2)],
        (0..<300).map { Fixture.sample("many-\($0)", .heartRate, minute: 10 + $0) },
    ]

    /// Batches count as the same upserts one after the other would, in a store
    /// that already holds data (transactions of many batches) and in an empty one.
    @Test(arguments: SampleStoreKind.allCases, [true, false])
    func batchesCountAsUpsertsOneAfterAnother(_ kind: SampleStoreKind, holdingData: Bool) throws {
        let batched = kind.make(in: TemporaryDirectory()), oneByOne = kind.make(in: TemporaryDirectory())
        if holdingData {
            for store in [batched, oneByOne] { try store.upsert([Fixture.sample("old", .steps, minute: 0)]) }
        }
        let baseline = try batched.latestSequence()
        let counts = try batched.upsertBatches(repeatsAfter: baseline) { store in
            for batch in Self.batches { try store(batch) }
        }
        var expected = UpsertCounts()
        for batch in Self.batches { expected += try oneByOne.upsert(batch, repeatsAfter: baseline) }
        #expect(counts == expected)
        #expect(counts == (holdingData ? UpsertCounts(inserted: 301, updated: 1, unchanged: 1, repeated: 1)
                                       : UpsertCounts(inserted: 302, updated: 1, unchanged: 0, repeated: 1)))
        #expect(try batched.latestSequence() == baseline + Int64(counts.inserted + counts.updated))
        #expect(try batched.countByType() == [.steps: 1, .weight: 1, .heartRate: 300])
        let page = try batched.query(try SampleQuery(types: [.steps, .weight], limit: 10))
        #expect(page.samples.map(\.id) == ["old", "new"])
        #expect(page.samples.first?.value == 2)
        let changes = try batched.changes(after: baseline, types: [.heartRate], limit: 1000)
        #expect(changes.samples.map(\.id) == (0..<300).map { "many-\($0)" })
    }

    /// Batches handed over by a producer that awaits between them (a first
    /// sync's pages) count as `upsertBatches` counts them, in an empty store
    /// and in one holding data.
    @Test(arguments: SampleStoreKind.allCases, [true, false])
    func streamedBatchesCountAsBatches(_ kind: SampleStoreKind, holdingData: Bool) async throws {
        let streamed = kind.make(in: TemporaryDirectory()), batched = kind.make(in: TemporaryDirectory())
        if holdingData {
            for store in [streamed, batched] { try store.upsert([Fixture.sample("old", .steps, minute: 0)]) }
        }
        let baseline = try streamed.latestSequence()
        let counts = try await streamed.upsertStream(repeatsAfter: baseline) { store in
            for batch in Self.batches {
                await Task.yield()
                try store(batch)
            }
        }
        #expect(counts == (try batched.upsertBatches(repeatsAfter: baseline) { store in
            for batch in Self.batches { try store(batch) }
        }))
        #expect(try streamed.countByType() == [.steps: 1, .weight: 1, .heartRate: 300])
        #expect(try streamed.changes(after: baseline, types: [.heartRate], limit: 1000).samples.map(\.id)
                == (0..<300).map { "many-\($0)" })
    }

    /// A streaming producer that fails has its error thrown, leaves no half
    /// batch, and the store takes writes afterwards.
    @Test(arguments: SampleStoreKind.allCases)
    func aFailingStreamLeavesNoHalfBatch(_ kind: SampleStoreKind) async throws {
        let store = kind.make(in: TemporaryDirectory())
        await #expect(throws: Stop.self) {
            try await store.upsertStream(repeatsAfter: 0) { write in
                try write(Self.batches[2])
                await Task.yield()
                throw Stop()
            }
        }
        #expect([0, 300].contains(try store.count(types: nil)))
        try store.upsert([Fixture.sample("after", .steps, minute: 0)])
        #expect(try store.count(types: [.steps]) == 1)
    }

    /// A producer that fails has its error thrown, and leaves no half batch behind.
    @Test(arguments: SampleStoreKind.allCases)
    func aFailingProducerLeavesNoHalfBatch(_ kind: SampleStoreKind) throws {
        let store = kind.make(in: TemporaryDirectory())
        #expect(throws: Stop.self) {
            try store.upsertBatches(repeatsAfter: 0) { write in
                try write(Self.batches[2])
                throw Stop()
            }
        }
        #expect([0, 300].contains(try store.count(types: nil)))
        try store.upsert([Fixture.sample("after", .steps, minute: 0)])
        #expect(try store.count(types: [.steps]) == 1)
    }

    /// A page of a sync and the position after it are stored together.
    @Test(arguments: SampleStoreKind.allCases)
    func aSyncedPageAndItsPositionAreStoredTogether(_ kind: SampleStoreKind) throws {
        let store = kind.make(in: TemporaryDirectory())
        let phone = try #require(DeviceID(bytes: Array(repeating: 3, count: 32)))
        let time = Fixture.base.addingTimeInterval(3600)
        try store.upsert([Fixture.sample("known", .steps, minute: 0)])
        let stored = try store.upsert([Fixture.sample("known", .steps, minute: 0), Fixture.sample("new", .steps, minute: 1)],
                                      syncedTo: 42, from: phone, at: time)
        #expect(stored == 1)
        #expect(try store.syncRecord(for: phone) == SyncRecord(position: 42, lastSync: time, received: 1))
        #expect(try store.upsert([Fixture.sample("later", .steps, minute: 2)], syncedTo: 50, from: phone, at: time) == 1)
        #expect(try store.syncRecord(for: phone) == SyncRecord(position: 50, lastSync: time, received: 2))
        #expect(try store.count(types: [.steps]) == 3)
    }

    /// SQLite: a row whose values are not what the store writes (another
    /// program's, a damaged file) is reported, not trapped on or misread.
    @Test func anUnreadableSQLiteRowIsAStorageFailure() throws {
        let directory = TemporaryDirectory()
        let store = SampleStoreKind.sqlite.make(in: directory)
        try store.upsert([Fixture.sample("a", .steps, minute: 0)])
        #expect(try store.query(try SampleQuery(types: [.steps])).samples.count == 1)
        let sqlite = try #require(ProcessRunner.which("sqlite3"), "sqlite3 is needed")
        for damage in ["UPDATE samples SET start_ms = 'soon'", "UPDATE samples SET start_ms = 0, id = x'07'",
                       "UPDATE samples SET id = 'a', metadata = '{\"k\":'", "UPDATE samples SET metadata = '{}', text = x'00ff'"] {
            let result = try ProcessRunner.run(sqlite, [directory.file("state/samples.sqlite"), damage], environment: [:])
            #expect(result.status == 0, "\(result.standardError)")
            let reopened = SampleStoreKind.sqlite.make(in: directory)
            #expect(throws: HealthSyncError.self, "\(damage)") { try reopened.query(try SampleQuery(types: [.steps])) }
            #expect(throws: HealthSyncError.self, "\(damage)") { try reopened.changes(after: 0, types: nil, limit: 10) }
        }
    }

    /// SQLite: batches into an empty store are one transaction (a failure
    /// stores none of them) whose indexes are built at its end, as the
    /// migrations made them.
    @Test func aFirstSQLiteImportIsAllOrNothingWithTheSameIndexes() async throws {
        let failed = TemporaryDirectory()
        let store = SampleStoreKind.sqlite.make(in: failed)
        #expect(throws: Stop.self) {
            try store.upsertBatches(repeatsAfter: 0) { write in
                for batch in Self.batches { try write(batch) }
                throw Stop()
            }
        }
        #expect(try store.count(types: nil) == 0)
        #expect(try Self.indexes(in: failed) == Self.indexes(of: .upsert))
        let imported = TemporaryDirectory()
        let batched = SampleStoreKind.sqlite.make(in: imported)
        _ = try batched.upsertBatches(repeatsAfter: 0) { write in
            for batch in Self.batches { try write(batch) }
        }
        #expect(try Self.indexes(in: imported) == Self.indexes(of: .upsert))
        #expect(try Self.indexes(in: imported).contains { $0.contains("samples_by_type_start") })
        // A first sync's stream into an empty store, the same.
        let synced = TemporaryDirectory()
        let streamed = SampleStoreKind.sqlite.make(in: synced)
        await #expect(throws: Stop.self) {
            try await streamed.upsertStream(repeatsAfter: .max) { write in
                for batch in Self.batches { try write(batch) }
                throw Stop()
            }
        }
        #expect(try streamed.count(types: nil) == 0)
        _ = try await streamed.upsertStream(repeatsAfter: .max) { write in
            for batch in Self.batches { try write(batch) }
        }
        #expect(try Self.indexes(in: synced) == Self.indexes(of: .upsert))
        #expect(try streamed.count(types: nil) == 302)
        #expect(try batched.query(try SampleQuery(types: [.heartRate], limit: 2)).samples.map(\.id) == ["many-0", "many-1"])
    }

    enum Writing { case upsert }

    static func indexes(of writing: Writing) throws -> [String] {
        let directory = TemporaryDirectory()
        try SampleStoreKind.sqlite.make(in: directory).upsert([Fixture.sample("a", .steps, minute: 0)])
        return try indexes(in: directory)
    }

    /// The index definitions in the store's database, as sqlite3 lists them.
    static func indexes(in directory: TemporaryDirectory) throws -> [String] {
        let sqlite = try #require(ProcessRunner.which("sqlite3"), "sqlite3 is needed")
        let result = try ProcessRunner.run(sqlite, [directory.file("state/samples.sqlite"),
                                                    "SELECT name || ': ' || IFNULL(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name"],
                                           environment: [:])
        #expect(result.status == 0, "\(result.standardError)")
        return result.standardOutput.split(separator: "\n").map(String.init)
    }
}
