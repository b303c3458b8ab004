import Foundation
import HealthSyncDomain
import Testing

@Suite("Apple Health export mapping")
struct AppleHealthMappingTests {
    static func record(_ type: String, unit: String?, value: String?, start: String = "2024-03-31 01:30:00 +0200",
                       end: String = "2024-03-31 02:00:00 +0200", kind: ExportRecord.Kind = .record,
                       durationUnit: String? = nil, metadata: [String: String] = [:]) -> ExportRecord {
        ExportRecord(kind: kind, type: type, unit: unit, value: value, durationUnit: durationUnit, sourceName: "Watch",
                     device: nil, startDate: start, endDate: end, metadata: metadata)
    }

    static func sample(_ record: ExportRecord) -> HealthSample? {
        try? AppleHealthMapping.sample(from: record, id: { "id:" + $0 }).get()
    }

    @Test func datesCarryTheirOffset() {
        #expect(AppleHealthMapping.parseDate("2019-07-19 10:36:11 -0700") == Date(timeIntervalSince1970: 1_563_557_771))
        #expect(AppleHealthMapping.parseDate("2024-03-31 01:30:00 +0200") == Date(timeIntervalSince1970: 1_711_841_400))
        #expect(AppleHealthMapping.parseDate("2020-02-29 00:00:00 +0000") != nil)
        for bad in ["2019-02-29 00:00:00 +0000", "2019-07-19 10:36:11", "2019-07-19T10:36:11 -0700", "2019-07-19 24:00:00 +0000",
                    "2019-07-19 10:36:11 -07:00", "", "yesterday"] {
            #expect(AppleHealthMapping.parseDate(bad) == nil, "\(bad)")
        }
    }

    @Test func unitsBecomeEachTypesOwnUnit() throws {
        let cases: [(String, String, String, HealthDataType, Double)] = [
            ("HKQuantityTypeIdentifierDistanceWalkingRunning", "km", "1.5", .distanceWalkingRunning, 1500),
            ("HKQuantityTypeIdentifierDistanceCycling", "mi", "2", .distanceCycling, 3218.688),
            ("HKQuantityTypeIdentifierActiveEnergyBurned", "kJ", "418.4", .activeEnergyBurned, 100),
            ("HKQuantityTypeIdentifierBasalEnergyBurned", "Cal", "70", .basalEnergyBurned, 70),
            ("HKQuantityTypeIdentifierBodyMass", "lb", "150", .weight, 68.038856),
            ("HKQuantityTypeIdentifierBodyTemperature", "degF", "98.6", .bodyTemperature, 37),
            ("HKQuantityTypeIdentifierOxygenSaturation", "%", "0.97", .bloodOxygen, 0.97),
            ("HKQuantityTypeIdentifierVO2Max", "mL/min·kg", "45.2", .vo2Max, 45.2),
            ("HKQuantityTypeIdentifierHeight", "cm", "180", .height, 1.8),
            ("HKQuantityTypeIdentifierStepCount", "count", "1234", .steps, 1234),
        ]
        for (type, unit, value, expected, converted) in cases {
            let sample = try #require(Self.sample(Self.record(type, unit: unit, value: value)), "\(type)")
            #expect(sample.type == expected)
            #expect(sample.unit == expected.unit)
            #expect(abs(sample.value - converted) < 1e-6, "\(type): \(sample.value)")
        }
    }

    @Test func sleepStandHoursAndWorkoutsHaveTheirOwnRules() throws {
        let core = try #require(Self.sample(Self.record("HKCategoryTypeIdentifierSleepAnalysis", unit: nil,
                                                        value: "HKCategoryValueSleepAnalysisAsleepCore")))
        #expect(core.type == .sleepCore)
        #expect(core.value == 30)
        #expect(core.metadata["HKSleepAnalysisValue"] == "HKCategoryValueSleepAnalysisAsleepCore")
        let old = try #require(Self.sample(Self.record("HKCategoryTypeIdentifierSleepAnalysis", unit: nil,
                                                       value: "HKCategoryValueSleepAnalysisAsleep")))
        #expect(old.type == .sleepAsleep)
        let stood = try #require(Self.sample(Self.record("HKCategoryTypeIdentifierAppleStandHour", unit: nil,
                                                         value: "HKCategoryValueAppleStandHourStood")))
        #expect(stood.type == .standHours && stood.value == 1)
        let workout = try #require(Self.sample(Self.record("HKWorkoutActivityTypeRunning", unit: nil, value: "0.5",
                                                           kind: .workout, durationUnit: "hr",
                                                           metadata: ["totalDistance": "3.1 mi"])))
        #expect(workout.type == .workouts && workout.value == 30)
        #expect(workout.metadata["HKWorkoutActivityType"] == "HKWorkoutActivityTypeRunning")
        #expect(workout.metadata["totalDistance"] == "3.1 mi")
    }

    @Test func whatCannotBeReadIsSkippedWithAReason() {
        func skip(_ record: ExportRecord) -> String? {
            if case .failure(let reason) = AppleHealthMapping.sample(from: record, id: { $0 }) { return reason.description }
            return nil
        }
        #expect(skip(Self.record("HKQuantityTypeIdentifierBloodGlucose", unit: "mg/dL", value: "90"))
            == "unsupported type HKQuantityTypeIdentifierBloodGlucose")
        #expect(skip(Self.record("HKQuantityTypeIdentifierStepCount", unit: "furlongs", value: "1"))
            == "unit furlongs for steps")
        #expect(skip(Self.record("HKQuantityTypeIdentifierStepCount", unit: "count", value: "many"))
            == "unreadable value for steps")
        #expect(skip(Self.record("HKQuantityTypeIdentifierStepCount", unit: "count", value: "nan"))
            == "unreadable value for steps")
        #expect(skip(Self.record("HKQuantityTypeIdentifierStepCount", unit: "count", value: "1", start: "soon"))
            == "unreadable date")
        #expect(skip(Self.record("HKQuantityTypeIdentifierStepCount", unit: "count", value: "1",
                                 start: "2024-03-31 02:00:00 +0200", end: "2024-03-31 01:00:00 +0200")) == "unreadable date")
    }

    @Test func theIDDependsOnWhatTheSampleIsNotOnTheFilesUnits() throws {
        let inKilometres = try #require(Self.sample(Self.record("HKQuantityTypeIdentifierDistanceWalkingRunning",
                                                                unit: "km", value: "1.5")))
        let inMetres = try #require(Self.sample(Self.record("HKQuantityTypeIdentifierDistanceWalkingRunning",
                                                            unit: "m", value: "1500")))
        #expect(inKilometres.id == inMetres.id)
        let other = try #require(Self.sample(Self.record("HKQuantityTypeIdentifierDistanceWalkingRunning",
                                                         unit: "m", value: "1501")))
        #expect(other.id != inMetres.id)
        let uuid = AppleHealthMapping.uuid(fromDigest: Array(repeating: 0xff, count: 32))
        #expect(uuid == "ffffffff-ffff-8fff-bfff-ffffffffffff")
    }
}
