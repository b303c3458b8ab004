import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import MemorySampleStore
import PosixFileSystem
import SQLiteSampleStore
import Testing

enum SampleStoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, sqliteSerial = "sqlite-serial", memory

    var testDescription: String { rawValue }

    func make(in directory: TemporaryDirectory) -> any SampleStore {
        switch self {
        case .sqlite: SQLiteSampleStore(directory: directory.file("state"), fileSystem: PosixFileSystem())
        case .sqliteSerial: SQLiteSampleStore(directory: directory.file("state"), fileSystem: PosixFileSystem(), access: .serial)
        case .memory: MemorySampleStore()
        }
    }
}

@Suite("SampleStore contract")
struct SampleStoreContractTests {
    static let base = Date(timeIntervalSince1970: 1_790_000_000)

    static func sample(_ id: String, _ type: HealthDataType, minute: Int, value: Double = 1) -> HealthSample {
        HealthSample(id: id, type: type, value: value, unit: type.unit,
                     startDate: base.addingTimeInterval(Double(minute) * 60),
                     endDate: base.addingTimeInterval(Double(minute) * 60 + 30), sourceName: "Watch ⌚",
                     metadata: ["HKDevice": "Apple Watch & co"])
    }

    @Test(arguments: SampleStoreKind.allCases)
    func upsertReplacesByID(_ kind: SampleStoreKind) throws {
        let directory = TemporaryDirectory()
        let store = kind.make(in: directory)
        try store.upsert([Self.sample("a", .steps, minute: 0, value: 10), Self.sample("b", .steps, minute: 1)])
        try store.upsert([Self.sample("a", .steps, minute: 0, value: 99)])
        #expect(try store.count(types: nil) == 2)
        let page = try store.query(try SampleQuery(types: [.steps]))
        #expect(page.samples.map(\.value) == [99, 1])
        #expect(page.samples.first == Self.sample("a", .steps, minute: 0, value: 99))
        #expect(page.nextCursor == nil)
    }

    @Test(arguments: SampleStoreKind.allCases)
    func queriesFilterByTypeAndHalfOpenDateRange(_ kind: SampleStoreKind) throws {
        let directory = TemporaryDirectory()
        let store = kind.make(in: directory)
        try store.upsert((0..<10).map { Self.sample("s\($0)", $0 % 2 == 0 ? .steps : .heartRate, minute: $0) })
        let steps = try store.query(try SampleQuery(types: [.steps]))
        #expect(steps.samples.map(\.id) == ["s0", "s2", "s4", "s6", "s8"])
        let ranged = try store.query(try SampleQuery(
            types: [.steps, .heartRate], since: Self.base.addingTimeInterval(180), until: Self.base.addingTimeInterval(360)))
        #expect(ranged.samples.map(\.id) == ["s3", "s4", "s5"])
        #expect(try store.count(types: [.heartRate]) == 5)
        #expect(try store.query(try SampleQuery(types: [.weight])).samples.isEmpty)
    }

    @Test(arguments: SampleStoreKind.allCases)
    func pagingVisitsEverySampleExactlyOnceInOrder(_ kind: SampleStoreKind) throws {
        let directory = TemporaryDirectory()
        let store = kind.make(in: directory)
        // Ties on the start time are ordered by ID.
        let samples = (0..<257).map { Self.sample(String(format: "id-%03d", 256 - $0), .heartRate, minute: $0 / 3) }
        try store.upsert(samples)
        var seen: [String] = []
        var cursor: SampleCursor?
        var pages = 0
        repeat {
            let page = try store.query(try SampleQuery(types: [.heartRate], limit: 50, cursor: cursor))
            #expect(page.samples.count <= 50)
            seen += page.samples.map(\.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil
        #expect(pages == 6)
        let expected = samples.sorted {
            $0.startDate == $1.startDate ? $0.id < $1.id : $0.startDate < $1.startDate
        }.map(\.id)
        #expect(seen == expected)
    }

    @Test(arguments: SampleStoreKind.allCases)
    func newestFirstPagesRunBackwardsOverEverySample(_ kind: SampleStoreKind) throws {
        let directory = TemporaryDirectory()
        let store = kind.make(in: directory)
        let samples = (0..<121).map { Self.sample(String(format: "id-%03d", $0 % 7), .heartRate, minute: $0 / 7) }
            + (0..<121).map { Self.sample(String(format: "x-%03d", $0), .heartRate, minute: $0) }
        try store.upsert(samples)
        var seen: [String] = []
        var cursor: SampleCursor?
        repeat {
            let page = try store.query(try SampleQuery(types: [.heartRate], limit: 40, cursor: cursor, newestFirst: true))
            seen += page.samples.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        let stored = Dictionary(samples.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        let expected = stored.values.sorted {
            $0.startDate == $1.startDate ? $0.id > $1.id : $0.startDate > $1.startDate
        }.map(\.id)
        #expect(seen == expected)
        let latest = try store.query(try SampleQuery(types: [.heartRate], limit: 1, newestFirst: true)).samples
        #expect(latest.map(\.id) == ["x-120"])
    }

    @Test(arguments: SampleStoreKind.allCases)
    func upsertsSayWhatTheyDidAndCountsGoPerType(_ kind: SampleStoreKind) throws {
        let directory = TemporaryDirectory()
        let store = kind.make(in: directory)
        try store.upsert([Self.sample("old", .steps, minute: 0)])
        let baseline = try store.latestSequence()
        let counts = try store.upsert([
            Self.sample("old", .steps, minute: 0), Self.sample("new", .weight, minute: 1), Self.sample("new", .weight, minute: 1),
            Self.sample("old", .steps, minute: 0, value: 2),
        ], repeatsAfter: baseline)
        #expect(counts == UpsertCounts(inserted: 1, updated: 1, unchanged: 1, repeated: 1))
        #expect(try store.latestSequence() == baseline + 2)
        #expect(try store.countByType() == [.steps: 1, .weight: 1])
        #expect(try store.countByType(since: Self.base.addingTimeInterval(30), until: nil) == [.weight: 1])
        #expect(try store.changes(after: 0, types: nil, limit: 10).samples.count == 2)
    }

    @Test(arguments: SampleStoreKind.allCases)
    func removeAllEmptiesTheStore(_ kind: SampleStoreKind) throws {
        let directory = TemporaryDirectory()
        let store = kind.make(in: directory)
        try store.upsert([Self.sample("a", .weight, minute: 0)])
        try store.removeAll()
        #expect(try store.count(types: nil) == 0)
    }

    @Test func theSQLiteStoreIsPrivateAndPersistent() throws {
        let directory = TemporaryDirectory()
        try SampleStoreKind.sqlite.make(in: directory).upsert([Self.sample("a", .weight, minute: 0)])
        #expect(try SampleStoreKind.sqlite.make(in: directory).count(types: nil) == 1)
        #expect(TestFiles.mode(directory.file("state/samples.sqlite")) == 0o600)
        #expect(TestFiles.mode(directory.file("state")) == 0o700)
    }
}

@Suite("SampleStore contract: changes for sync")
struct SampleStoreChangesContractTests {
    typealias Fixture = SampleStoreContractTests

    @Test(arguments: SampleStoreKind.allCases)
    func changesComeInStoreOrderAndIdenticalRowsAreNotChanges(_ kind: SampleStoreKind) throws {
        let directory = TemporaryDirectory()
        let store = kind.make(in: directory)
        #expect(try store.changes(after: 0, types: [.steps], limit: 10) == SampleChanges(samples: [], last: 0, more: false))
        let first = [Fixture.sample("b", .steps, minute: 10), Fixture.sample("a", .steps, minute: 20),
                     Fixture.sample("w", .weight, minute: 5)]
        try store.upsert(first)
        let all = try store.changes(after: 0, types: [.steps, .weight], limit: 10)
        #expect(all.samples.map(\.id) == ["b", "a", "w"])
        #expect(!all.more)
        let steps = try store.changes(after: 0, types: [.steps], limit: 1)
        #expect(steps.samples.map(\.id) == ["b"])
        #expect(steps.more)
        #expect(try store.changes(after: steps.last, types: [.steps], limit: 10).samples.map(\.id) == ["a"])

        // Backfilled old data and a changed value are new changes; an identical row is not.
        try store.upsert([Fixture.sample("old", .steps, minute: -1000), Fixture.sample("b", .steps, minute: 10, value: 5),
                          Fixture.sample("a", .steps, minute: 20)])
        let later = try store.changes(after: all.last, types: [.steps, .weight], limit: 10)
        #expect(later.samples.map(\.id) == ["old", "b"])
        #expect(later.samples.last?.value == 5)
        #expect(try store.changes(after: later.last, types: [.steps, .weight], limit: 10).samples.isEmpty)
        #expect(throws: HealthSyncError.self) { try store.changes(after: 0, types: [.steps], limit: 0) }
    }

    @Test(arguments: SampleStoreKind.allCases)
    func syncPositionsAreKeptPerDevice(_ kind: SampleStoreKind) throws {
        let directory = TemporaryDirectory()
        let store = kind.make(in: directory)
        let phone = DeviceID(bytes: Array(repeating: 1, count: 32))!, watch = DeviceID(bytes: Array(repeating: 2, count: 32))!
        #expect(try store.syncPosition(for: phone) == 0)
        try store.setSyncPosition(42, for: phone, at: SampleStoreContractTests.base, received: 5)
        try store.setSyncPosition(7, for: watch, at: SampleStoreContractTests.base, received: 0)
        try store.setSyncPosition(43, for: phone, at: SampleStoreContractTests.base.addingTimeInterval(60), received: 2)
        #expect(try store.syncPosition(for: phone) == 43)
        #expect(try store.syncRecord(for: phone) == SyncRecord(position: 43, lastSync: SampleStoreContractTests.base.addingTimeInterval(60), received: 7))
        #expect(try store.syncPosition(for: watch) == 7)
        try store.removeAll()
        #expect(try store.syncPosition(for: phone) == 0)
    }
}

@Suite("SQLite sample store migration")
struct SQLiteSampleStoreMigrationTests {
    /// A command's single connection makes the store a daemon's pool opens
    /// later (WAL mode, kept in the file), and each sees what the other wrote.
    @Test func aSerialStoreAndAPoolShareOneWALDatabase() async throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state")
        let command = SQLiteSampleStore(directory: state, fileSystem: PosixFileSystem(), access: .serial)
        try command.upsert([SampleStoreContractTests.sample("a", .steps, minute: 0)])
        let sqlite = try #require(ProcessRunner.which("sqlite3"), "sqlite3 is needed")
        let mode = try await ProcessRunner.runDetached(sqlite, [state + "/samples.sqlite", "PRAGMA journal_mode"], environment: [:])
        #expect(mode.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        let daemon = SQLiteSampleStore(directory: state, fileSystem: PosixFileSystem())
        #expect(try daemon.count(types: nil) == 1)
        try daemon.upsert([SampleStoreContractTests.sample("b", .steps, minute: 1)])
        #expect(try command.changes(after: 0, types: nil, limit: 10).samples.map(\.id) == ["a", "b"])
    }

    /// A samples.sqlite written before sequence numbers existed (schema v1)
    /// is migrated: its rows become changes for the first sync.
    @Test func aVersionOneDatabaseIsMigrated() async throws {
        let directory = TemporaryDirectory()
        let state = directory.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let sqlite = try #require(ProcessRunner.which("sqlite3"), "sqlite3 is needed")
        let created = try await ProcessRunner.runDetached(sqlite, [state + "/samples.sqlite", """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1');
            CREATE TABLE samples (id TEXT PRIMARY KEY, type TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL,
                start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, source_name TEXT NOT NULL, metadata TEXT NOT NULL);
            INSERT INTO samples VALUES ('x', 'steps', 12, 'count', 1790000000000, 1790000060000, 'Watch', '{}');
            INSERT INTO samples VALUES ('y', 'steps', 13, 'count', 1790000100000, 1790000160000, 'Watch', '{}');
            """], environment: [:])
        #expect(created.status == 0, "\(created.standardError)")
        chmod(state + "/samples.sqlite", 0o600)
        let store = SQLiteSampleStore(directory: state, fileSystem: PosixFileSystem())
        let changes = try store.changes(after: 0, types: [.steps], limit: 10)
        #expect(changes.samples.map(\.id) == ["x", "y"])
        try store.upsert([SampleStoreContractTests.sample("z", .steps, minute: 0)])
        #expect(try store.changes(after: changes.last, types: [.steps], limit: 10).samples.map(\.id) == ["z"])
    }
}
