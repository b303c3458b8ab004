import HealthSyncDomain
import Testing

@Suite("Health data types")
struct HealthDataTypeTests {
    @Test func theCatalogueHasTheAppsThirtyOneTypes() {
        #expect(HealthDataType.allCases.count == 31)
        #expect(HealthDataType.allCases.count >= 27)
        #expect(Set(HealthDataType.allCases.map(\.rawValue)).count == 31)
    }

    @Test func typesMapToHealthKitIdentifiersAndCanonicalUnits() {
        #expect(HealthDataType.steps.healthKitIdentifier == "HKQuantityTypeIdentifierStepCount")
        #expect(HealthDataType.steps.unit == "count")
        #expect(HealthDataType.heartRate.healthKitIdentifier == "HKQuantityTypeIdentifierHeartRate")
        #expect(HealthDataType.heartRate.unit == "count/min")
        #expect(HealthDataType.heartRateVariability.unit == "ms")
        #expect(HealthDataType.bodyFatPercentage.unit == "fraction")
        #expect(HealthDataType.weight.healthKitIdentifier == "HKQuantityTypeIdentifierBodyMass")
        #expect(HealthDataType.sleepDeep.healthKitIdentifier == "HKCategoryTypeIdentifierSleepAnalysis")
        #expect(HealthDataType.sleepDeep.sleepAnalysisValue == "HKCategoryValueSleepAnalysisAsleepDeep")
        for type in HealthDataType.allCases {
            #expect(type.healthKitIdentifier.hasPrefix("HK"))
            #expect(!type.unit.isEmpty)
        }
    }

    @Test func listsParseByNameOrAll() throws {
        #expect(try HealthDataType.parseList("steps,heartRate") == [.steps, .heartRate])
        #expect(try HealthDataType.parseList(" Steps , steps ") == [.steps])
        #expect(try HealthDataType.parseList("all") == HealthDataType.allCases)
        #expect(HealthDataType.named("HKQuantityTypeIdentifierStepCount") == .steps)
        #expect(throws: HealthSyncError.self) { try HealthDataType.parseList("stepz") }
        #expect(throws: HealthSyncError.self) { try HealthDataType.parseList(",") }
    }
}
