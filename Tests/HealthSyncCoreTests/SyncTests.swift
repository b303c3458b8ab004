import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import HealthSyncWiring
import Testing

/// `sync`: what is new or changed on the sharing devices lands in the local
/// store once, resuming where the last sync stopped.
@Suite("Sync in memory")
struct SyncTests {
    let world = World()

    @Test func newAndChangedSamplesArriveOnceAndOnlyOnce() async throws {
        let phone = try world.device("phone", seed: 601), laptop = try world.device("laptop", seed: 602)
        let listener = try await phone.serve()
        _ = try await phone.pairByToken(laptop, advertising: listener.endpoint)
        let generated = try phone.application.samples.generate(days: 2).generated

        let first = try await laptop.application.syncing.sync()
        #expect(first.devices.map(\.received) == [generated])
        #expect(try laptop.deps.sampleStore.count(types: nil) == generated)

        #expect(try await laptop.application.syncing.sync().devices.map(\.received) == [0])
        // The laptop's status says when it last synced from the phone and how much came.
        let summary = try #require(try laptop.application.devices.devices().devices.first)
        #expect(summary.lastSync == laptop.deps.clock.now() && summary.samplesReceived == generated)

        // Backfilled old data and a corrected value come across; nothing else does.
        let old = HealthSample(id: "backfilled", type: .steps, value: 10, unit: "count",
                               startDate: Date(timeIntervalSince1970: 1_000_000_000),
                               endDate: Date(timeIntervalSince1970: 1_000_000_060), sourceName: "Old phone", metadata: [:])
        let page = try phone.deps.sampleStore.query(try SampleQuery(types: [.weight], limit: 1))
        let weight = try #require(page.samples.first)
        let corrected = HealthSample(id: weight.id, type: weight.type, value: weight.value + 1, unit: weight.unit,
                                     startDate: weight.startDate, endDate: weight.endDate, sourceName: weight.sourceName,
                                     metadata: weight.metadata)
        try phone.deps.sampleStore.upsert([old, corrected])
        let second = try await laptop.application.syncing.sync("phone")
        #expect(second.devices.map(\.received) == [2])
        #expect(try laptop.deps.sampleStore.count(types: nil) == generated + 1)
        let stored = try laptop.deps.sampleStore.query(try SampleQuery(types: [.weight], limit: 10_000))
        #expect(stored.samples.first { $0.id == weight.id }?.value == weight.value + 1)
        await listener.close()
    }

    /// Every kind an export holds and every field beside the value (schema 2)
    /// arrives as it left, by sync and by fetch.
    @Test func losslessSamplesCrossIntact() async throws {
        let phone = try world.device("phone", seed: 621), laptop = try world.device("laptop", seed: 622)
        let listener = try await phone.serve()
        _ = try await phone.pairByToken(laptop, advertising: listener.endpoint)
        let start = Date(millisecondsSince1970: 1_790_000_000_000)
        let samples = [
            HealthSample(id: "ecg", type: .electrocardiogram, value: 3, unit: "count", startDate: start, endDate: start,
                         sourceName: "ECG", text: "Sinus Rhythm", utcOffsetMinutes: 60,
                         details: #"{"voltages":[-1.5,2.25,3]}"#),
            HealthSample(id: "glucose", type: try #require(HealthDataType(rawValue: "bloodGlucose")), value: 90, unit: "mg/dL",
                         startDate: start, endDate: start, sourceName: "Meter", metadata: ["HKWasUserEntered": "1"],
                         utcOffsetMinutes: -480, sourceVersion: "2.1", device: "<<HKDevice: 0x1>>",
                         creationDate: start.addingTimeInterval(5)),
            HealthSample(id: "newer", type: try #require(HealthDataType(rawValue: "HKCategoryTypeIdentifierNewInIOS27")), value: 5,
                         unit: "min", startDate: start, endDate: start.addingTimeInterval(300), sourceName: "Phone",
                         text: "HKCategoryValueSomething"),
        ]
        try phone.deps.sampleStore.upsert(samples)
        #expect(try await laptop.application.syncing.sync().devices.map(\.received) == [3])
        let stored = try laptop.deps.sampleStore.query(try SampleQuery(types: samples.map(\.type), limit: 10)).samples
        #expect(Set(stored) == Set(samples))
        await listener.close()
    }

    @Test func onlySharedTypesAreSynced() async throws {
        let phone = try world.device("phone", seed: 603, sharedTypes: [.steps]), laptop = try world.device("laptop", seed: 604)
        let listener = try await phone.serve()
        _ = try await phone.pairByToken(laptop, advertising: listener.endpoint)
        _ = try phone.application.samples.generate(days: 1)
        let steps = try phone.deps.sampleStore.count(types: [.steps])
        #expect(try await laptop.application.syncing.sync().devices.map(\.received) == [steps])
        #expect(try laptop.deps.sampleStore.count(types: nil) == steps)
        await listener.close()
    }

    @Test func anUnreachableDeviceIsReportedAndTheOthersStillSync() async throws {
        let phone = try world.device("phone", seed: 605), watch = try world.device("watch", seed: 606)
        let laptop = try world.device("laptop", seed: 607)
        let phoneListener = try await phone.serve(), watchListener = try await watch.serve()
        _ = try await phone.pairByToken(laptop, advertising: phoneListener.endpoint)
        _ = try await watch.pairByToken(laptop, advertising: watchListener.endpoint)
        _ = try phone.application.samples.generate(days: 1)
        await watchListener.close()

        let report = try await laptop.application.syncing.sync()
        let byName = Dictionary(uniqueKeysWithValues: report.devices.map { ($0.name, $0) })
        #expect(byName["phone"]?.error == nil)
        #expect((byName["phone"]?.received ?? 0) > 0)
        #expect(byName["watch"]?.error?.code == "DEVICE_NOT_FOUND")
        await phoneListener.close()
        let code = await errorCode { _ = try await laptop.application.syncing.sync() }
        #expect(code == .deviceNotFound)
        // Trust is mutual: the phone syncs from the laptop too, which is not listening.
        #expect(await errorCode { _ = try await phone.application.syncing.sync() } == .deviceNotFound)
    }

    /// Both sides of a pairing read each other: what the laptop holds reaches
    /// the phone it joined, and what came from the phone is not sent back as new.
    @Test func syncWorksInBothDirections() async throws {
        let phone = try world.device("phone", seed: 615), laptop = try world.device("laptop", seed: 616)
        let phoneListener = try await phone.serve(), laptopListener = try await laptop.serve()
        _ = try await phone.pairByToken(laptop, advertising: phoneListener.endpoint)
        _ = try phone.application.samples.generate(days: 1)
        let fromPhone = try await laptop.application.syncing.sync()
        let phoneCount = try #require(fromPhone.devices.first?.received)
        #expect(phoneCount > 0)

        let sample = HealthSample(id: "laptop-weight-1", type: .weight, value: 71.5, unit: "kg",
                                  startDate: Date(timeIntervalSince1970: 1_790_000_000),
                                  endDate: Date(timeIntervalSince1970: 1_790_000_000), sourceName: "Scale")
        try laptop.deps.sampleStore.upsert([sample])
        let fromLaptop = try await phone.application.syncing.sync("laptop", host: laptopListener.endpoint.description)
        // Only the laptop's own sample is new to the phone.
        #expect(fromLaptop.devices.map(\.received) == [1])
        #expect(try laptop.deps.sampleStore.count(types: nil) == phoneCount + 1)
        #expect(try phone.deps.sampleStore.count(types: nil) == phoneCount + 1)
        #expect(try await laptop.application.syncing.sync().devices.map(\.received) == [0])
        #expect(try await phone.application.syncing.sync("laptop").devices.map(\.received) == [0])
        await phoneListener.close()
        await laptopListener.close()
    }
}
