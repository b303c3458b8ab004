import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncTestSupport
import MemorySampleStore
import PosixFileSystem
import SQLiteSampleStore
import Testing

enum SampleStoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, memory

    var testDescription: String { rawValue }

    func make(in directory: TemporaryDirectory) -> any SampleStore {
        switch self {
        case .sqlite: SQLiteSampleStore(directory: directory.file("state"), fileSystem: PosixFileSystem())
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
