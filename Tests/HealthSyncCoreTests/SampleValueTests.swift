import Foundation
import HealthSyncDomain
import Testing

@Suite("Samples, queries, cursors and demo data")
struct SampleValueTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func demoDataIsDeterministicAndCoversEverySchemaOneType() {
        let first = DemoDataGenerator().samples(days: 3, endingBefore: now)
        let again = DemoDataGenerator().samples(days: 3, endingBefore: now.addingTimeInterval(60))
        #expect(first == again)
        #expect(Set(first.map(\.type)) == HealthDataType.schemaOne)
        #expect(Set(first.map(\.id)).count == first.count)
        let midnight = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        for sample in first {
            #expect(sample.unit == sample.type.unit)
            #expect(sample.startDate.timeIntervalSince1970 >= midnight - 3 * 86_400)
            #expect(sample.startDate.timeIntervalSince1970 < midnight)
            #expect(sample.endDate >= sample.startDate)
        }
    }

    @Test func demoValuesArePlausible() {
        let samples = DemoDataGenerator().samples(days: 7, endingBefore: now)
        for sample in samples {
            switch sample.type {
            case .heartRate: #expect((40...200).contains(sample.value))
            case .bloodOxygen, .bodyFatPercentage: #expect((0...1).contains(sample.value))
            case .steps: #expect(sample.value >= 0 && sample.value == sample.value.rounded())
            case .bodyTemperature: #expect((35...39).contains(sample.value))
            default: #expect(sample.value >= 0)
            }
        }
        let uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
        #expect(samples.allSatisfy { $0.id.wholeMatch(of: uuid) != nil })
    }

    @Test func cursorsRoundTripAndRejectGarbage() throws {
        let cursor = SampleCursor(startMillis: 1_700_000_000_123, id: "a-b/c")
        #expect(try SampleCursor(token: cursor.token) == cursor)
        for bad in ["", "1", "x.00", "1.zz", "1.", ".41", String(repeating: "9", count: 700)] {
            #expect(throws: HealthSyncError.self) { try SampleCursor(token: bad) }
        }
    }

    @Test func queriesAreBounded() {
        #expect(throws: HealthSyncError.self) { try SampleQuery(types: [.steps], limit: 0) }
        #expect(throws: HealthSyncError.self) { try SampleQuery(types: [.steps], limit: 10_001) }
        #expect(throws: HealthSyncError.self) { try SampleQuery(types: [.steps], since: now, until: now) }
        #expect((try? SampleQuery(types: [.steps], limit: 10_000)) != nil)
    }

    @Test func certificatePolicyBackdatesAndAddsCalendarYears() {
        let start = Date(timeIntervalSince1970: 1_767_744_000) // 2026-01-07
        let (notBefore, notAfter) = CertificatePolicy.validity(years: 1, from: start)
        #expect(notBefore == start.addingTimeInterval(-300))
        #expect(notAfter == Date(timeIntervalSince1970: 1_799_280_000)) // 2027-01-07
    }
}
