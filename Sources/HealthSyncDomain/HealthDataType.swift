/// The data types HealthSync shares: the HealthSync phone app's catalogue of
/// short names, each mapped to its HealthKit identifier and one canonical unit.
public enum HealthDataType: String, Sendable, Codable, CaseIterable, Comparable {
    case steps, distanceWalkingRunning, distanceCycling, activeEnergyBurned, basalEnergyBurned
    case exerciseTime, standHours, flightsClimbed, workouts
    case heartRate, restingHeartRate, walkingHeartRateAverage, heartRateVariability
    case bloodPressureSystolic, bloodPressureDiastolic, bloodOxygen, respiratoryRate
    case bodyTemperature, vo2Max
    case weight, height, bodyMassIndex, bodyFatPercentage, leanBodyMass
    case sleepAnalysis, sleepInBed, sleepAsleep, sleepAwake, sleepCore, sleepDeep, sleepREM

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The HealthKit identifier an Apple Health export uses for this type.
    public var healthKitIdentifier: String {
        switch self {
        case .steps: return "HKQuantityTypeIdentifierStepCount"
        case .distanceWalkingRunning: return "HKQuantityTypeIdentifierDistanceWalkingRunning"
        case .distanceCycling: return "HKQuantityTypeIdentifierDistanceCycling"
        case .activeEnergyBurned: return "HKQuantityTypeIdentifierActiveEnergyBurned"
        case .basalEnergyBurned: return "HKQuantityTypeIdentifierBasalEnergyBurned"
        case .exerciseTime: return "HKQuantityTypeIdentifierAppleExerciseTime"
        case .standHours: return "HKCategoryTypeIdentifierAppleStandHour"
        case .flightsClimbed: return "HKQuantityTypeIdentifierFlightsClimbed"
        case .workouts: return "HKWorkoutTypeIdentifier"
        case .heartRate: return "HKQuantityTypeIdentifierHeartRate"
        case .restingHeartRate: return "HKQuantityTypeIdentifierRestingHeartRate"
        case .walkingHeartRateAverage: return "HKQuantityTypeIdentifierWalkingHeartRateAverage"
        case .heartRateVariability: return "HKQuantityTypeIdentifierHeartRateVariabilitySDNN"
        case .bloodPressureSystolic: return "HKQuantityTypeIdentifierBloodPressureSystolic"
        case .bloodPressureDiastolic: return "HKQuantityTypeIdentifierBloodPressureDiastolic"
        case .bloodOxygen: return "HKQuantityTypeIdentifierOxygenSaturation"
        case .respiratoryRate: return "HKQuantityTypeIdentifierRespiratoryRate"
        case .bodyTemperature: return "HKQuantityTypeIdentifierBodyTemperature"
        case .vo2Max: return "HKQuantityTypeIdentifierVO2Max"
        case .weight: return "HKQuantityTypeIdentifierBodyMass"
        case .height: return "HKQuantityTypeIdentifierHeight"
        case .bodyMassIndex: return "HKQuantityTypeIdentifierBodyMassIndex"
        case .bodyFatPercentage: return "HKQuantityTypeIdentifierBodyFatPercentage"
        case .leanBodyMass: return "HKQuantityTypeIdentifierLeanBodyMass"
        case .sleepAnalysis, .sleepInBed, .sleepAsleep, .sleepAwake, .sleepCore, .sleepDeep, .sleepREM:
            return "HKCategoryTypeIdentifierSleepAnalysis"
        }
    }

    /// For sleep stages: the HKCategoryValueSleepAnalysis value that selects them.
    public var sleepAnalysisValue: String? {
        switch self {
        case .sleepInBed: return "HKCategoryValueSleepAnalysisInBed"
        case .sleepAsleep: return "HKCategoryValueSleepAnalysisAsleepUnspecified"
        case .sleepAwake: return "HKCategoryValueSleepAnalysisAwake"
        case .sleepCore: return "HKCategoryValueSleepAnalysisAsleepCore"
        case .sleepDeep: return "HKCategoryValueSleepAnalysisAsleepDeep"
        case .sleepREM: return "HKCategoryValueSleepAnalysisAsleepREM"
        default: return nil
        }
    }

    /// The one unit values of this type are stored in.
    public var unit: String {
        switch self {
        case .steps, .flightsClimbed, .standHours, .bodyMassIndex: return "count"
        case .distanceWalkingRunning, .distanceCycling, .height: return "m"
        case .activeEnergyBurned, .basalEnergyBurned: return "kcal"
        case .exerciseTime, .workouts: return "min"
        case .heartRate, .restingHeartRate, .walkingHeartRateAverage, .respiratoryRate: return "count/min"
        case .heartRateVariability: return "ms"
        case .bloodPressureSystolic, .bloodPressureDiastolic: return "mmHg"
        case .bloodOxygen, .bodyFatPercentage: return "fraction"
        case .bodyTemperature: return "degC"
        case .vo2Max: return "mL/(kg*min)"
        case .weight, .leanBodyMass: return "kg"
        case .sleepAnalysis, .sleepInBed, .sleepAsleep, .sleepAwake, .sleepCore, .sleepDeep, .sleepREM:
            return "min"
        }
    }

    /// How people group the types.
    public var category: String {
        switch self {
        case .steps, .distanceWalkingRunning, .distanceCycling, .activeEnergyBurned, .basalEnergyBurned,
             .exerciseTime, .standHours, .flightsClimbed, .workouts:
            return "activity"
        case .heartRate, .restingHeartRate, .walkingHeartRateAverage, .heartRateVariability:
            return "heart"
        case .bloodPressureSystolic, .bloodPressureDiastolic, .bloodOxygen, .respiratoryRate,
             .bodyTemperature, .vo2Max:
            return "vitals"
        case .weight, .height, .bodyMassIndex, .bodyFatPercentage, .leanBodyMass:
            return "body"
        case .sleepAnalysis, .sleepInBed, .sleepAsleep, .sleepAwake, .sleepCore, .sleepDeep, .sleepREM:
            return "sleep"
        }
    }

    /// Parses a comma-separated list ("steps,heartRate" or "all"), case-insensitively.
    public static func parseList(_ text: String) throws(HealthSyncError) -> [HealthDataType] {
        var result: [HealthDataType] = []
        for raw in text.split(separator: ",") {
            let name = raw.trimmingCharacters(in: " ")
            if name.lowercased() == "all" { return allCases }
            guard let type = named(name) else {
                throw HealthSyncError(.invalidArgument, "Unknown data type '\(name)'",
                                      hint: "Run `healthsync types` to list the data types.")
            }
            if !result.contains(type) { result.append(type) }
        }
        guard !result.isEmpty else {
            throw HealthSyncError(.invalidArgument, "No data type given",
                                  hint: "Run `healthsync types` to list the data types.")
        }
        return result
    }

    /// The type with this short name (any case) or HealthKit identifier.
    public static func named(_ name: String) -> HealthDataType? {
        let lower = name.lowercased()
        return allCases.first { $0.rawValue.lowercased() == lower }
            ?? allCases.first { $0.healthKitIdentifier == name && $0.sleepAnalysisValue == nil }
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var text = self
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}
