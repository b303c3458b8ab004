import HealthSyncDomain
import Testing

@Suite("Health data types")
struct HealthDataTypeTests {
    @Test func theCatalogueStartsWithTheAppsThirtyOneTypesAndHoldsHealthKitsWholeList() {
        let names = HealthDataType.allCases.map(\.rawValue)
        #expect(Array(names.prefix(HealthDataType.schemaOneCount)) == [
            "steps", "distanceWalkingRunning", "distanceCycling", "activeEnergyBurned", "basalEnergyBurned",
            "exerciseTime", "standHours", "flightsClimbed", "workouts", "heartRate", "restingHeartRate",
            "walkingHeartRateAverage", "heartRateVariability", "bloodPressureSystolic", "bloodPressureDiastolic",
            "bloodOxygen", "respiratoryRate", "bodyTemperature", "vo2Max", "weight", "height", "bodyMassIndex",
            "bodyFatPercentage", "leanBodyMass", "sleepAnalysis", "sleepInBed", "sleepAsleep", "sleepAwake",
            "sleepCore", "sleepDeep", "sleepREM",
        ])
        #expect(Set(names).count == names.count)
        let quantities = HealthDataType.allCases.filter { $0.kind == .quantity }
        let categories = HealthDataType.allCases.filter { $0.kind == .category && $0.sleepAnalysisValue == nil }
        // iOS 18's HKTypeIdentifiers.h: 120 quantity and 69 category identifiers
        // (SleepAnalysis and the deprecated AudioExposureEvent among them).
        #expect(quantities.count == 120)
        #expect(categories.count == 69)
        let identifiers = (quantities + categories).map(\.healthKitIdentifier)
        #expect(Set(identifiers).count == identifiers.count)
        for kind in [HealthDataType.Kind.workout, .workoutRoute, .correlation, .activitySummary, .electrocardiogram,
                     .audiogram, .clinicalRecord] {
            #expect(HealthDataType.allCases.contains { $0.kind == kind }, "\(kind)")
        }
        #expect(HealthDataType.forIdentifier("HKQuantityTypeIdentifierBloodGlucose")?.rawValue == "bloodGlucose")
        #expect(HealthDataType.forIdentifier("HKQuantityTypeIdentifierBloodGlucose")?.unit == "mg/dL")
        #expect(HealthDataType.forIdentifier("HKQuantityTypeIdentifierUVExposure")?.rawValue == "uvExposure")
        #expect(HealthDataType.forIdentifier("HKCategoryTypeIdentifierSleepAnalysis") == .sleepAnalysis)
        #expect(HealthDataType.forIdentifier("HKQuantityTypeIdentifierNewInIOS27")?.rawValue == "HKQuantityTypeIdentifierNewInIOS27")
        #expect(HealthDataType.forIdentifier("Banana") == nil)
        #expect(HealthDataType(rawValue: "HK" + String(repeating: "x", count: 200)) == nil)
        #expect(HealthDataType(rawValue: "HKQuantityTypeIdentifier<script>") == nil)
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
