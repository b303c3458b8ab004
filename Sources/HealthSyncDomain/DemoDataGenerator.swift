import FoundationEssentials

/// Deterministic, plausible demo samples for each of the schema-1 data
/// types (the phone app's catalogue): the same days
/// give the same samples (and the same IDs), so generating twice adds nothing.
public struct DemoDataGenerator: Sendable {
    public static let sourceName = "HealthSync Demo"

    /// How often a type is measured in a day and its plausible range.
    struct Pattern {
        let perDay: Int
        let firstHour: Int
        let range: ClosedRange<Double>
        let minutes: Int
    }

    public init() {}

    /// Samples for the `days` whole UTC days that end at the midnight before `now`.
    public func samples(days: Int, endingBefore now: Date) -> [HealthSample] {
        let dayLength = 86_400.0
        let lastMidnight = (now.timeIntervalSince1970 / dayLength).rounded(.down) * dayLength
        var result: [HealthSample] = []
        for offset in stride(from: days, to: 0, by: -1) {
            let dayStart = lastMidnight - Double(offset) * dayLength
            for type in HealthDataType.allCases.prefix(HealthDataType.schemaOneCount) {
                result += samples(of: type, dayStart: dayStart)
            }
        }
        return result
    }

    private func samples(of type: HealthDataType, dayStart: Double) -> [HealthSample] {
        let dayNumber = UInt64(dayStart / 86_400)
        let typeIndex = UInt64(HealthDataType.allCases.firstIndex(of: type)!)
        var random = SplitMix64(seed: dayNumber &* 1_000_003 &+ typeIndex)
        let pattern = Self.pattern(for: type)
        let spacing = pattern.perDay > 1 ? max(1, (24 - pattern.firstHour) * 60 / pattern.perDay) : 0
        return (0..<pattern.perDay).map { index in
            let startMinute = pattern.firstHour * 60 + index * spacing
            let start = Date(timeIntervalSince1970: dayStart + Double(startMinute) * 60)
            let end = start.addingTimeInterval(Double(pattern.minutes) * 60)
            var value = random.uniform(pattern.range)
            value = type.unit == "fraction" ? (value * 1000).rounded() / 1000 : (value * 10).rounded() / 10
            if ["count", "count/min"].contains(type.unit) { value = value.rounded() }
            var metadata: [String: String] = [:]
            if let stage = type.sleepAnalysisValue { metadata["HKSleepAnalysisValue"] = stage }
            if type == .workouts { metadata["HKWorkoutActivityType"] = "HKWorkoutActivityTypeWalking" }
            var idRandom = SplitMix64(seed: dayNumber &* 7_919 &+ typeIndex &* 131 &+ UInt64(index))
            return HealthSample(id: Self.uuid(idRandom.next(), idRandom.next()), type: type, value: value,
                                unit: type.unit, startDate: start, endDate: end,
                                sourceName: Self.sourceName, metadata: metadata)
        }
    }

    /// A version-4-shaped UUID string from 128 deterministic bits.
    static func uuid(_ high: UInt64, _ low: UInt64) -> String {
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = Array(Hex.encode(bytes))
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }
        return parts.joined(separator: "-")
    }

    static func pattern(for type: HealthDataType) -> Pattern {
        switch type {
        case .steps: return Pattern(perDay: 14, firstHour: 8, range: 0...1500, minutes: 60)
        case .distanceWalkingRunning: return Pattern(perDay: 14, firstHour: 8, range: 0...1100, minutes: 60)
        case .distanceCycling: return Pattern(perDay: 1, firstHour: 17, range: 2000...15000, minutes: 45)
        case .activeEnergyBurned: return Pattern(perDay: 14, firstHour: 8, range: 10...80, minutes: 60)
        case .basalEnergyBurned: return Pattern(perDay: 24, firstHour: 0, range: 60...75, minutes: 60)
        case .exerciseTime: return Pattern(perDay: 1, firstHour: 18, range: 10...60, minutes: 1)
        case .standHours: return Pattern(perDay: 1, firstHour: 21, range: 8...14, minutes: 1)
        case .flightsClimbed: return Pattern(perDay: 3, firstHour: 9, range: 1...10, minutes: 10)
        case .workouts: return Pattern(perDay: 1, firstHour: 7, range: 20...60, minutes: 40)
        case .heartRate: return Pattern(perDay: 48, firstHour: 0, range: 55...120, minutes: 1)
        case .restingHeartRate: return Pattern(perDay: 1, firstHour: 6, range: 52...65, minutes: 1)
        case .walkingHeartRateAverage: return Pattern(perDay: 1, firstHour: 20, range: 90...110, minutes: 1)
        case .heartRateVariability: return Pattern(perDay: 4, firstHour: 2, range: 25...80, minutes: 1)
        case .bloodPressureSystolic: return Pattern(perDay: 1, firstHour: 8, range: 110...130, minutes: 1)
        case .bloodPressureDiastolic: return Pattern(perDay: 1, firstHour: 8, range: 70...85, minutes: 1)
        case .bloodOxygen: return Pattern(perDay: 6, firstHour: 0, range: 0.94...0.99, minutes: 1)
        case .respiratoryRate: return Pattern(perDay: 6, firstHour: 0, range: 12...18, minutes: 1)
        case .bodyTemperature: return Pattern(perDay: 1, firstHour: 7, range: 36.3...37.1, minutes: 1)
        case .vo2Max: return Pattern(perDay: 1, firstHour: 19, range: 38...45, minutes: 1)
        case .weight: return Pattern(perDay: 1, firstHour: 7, range: 70...72, minutes: 1)
        case .height: return Pattern(perDay: 1, firstHour: 7, range: 1.74...1.76, minutes: 1)
        case .bodyMassIndex: return Pattern(perDay: 1, firstHour: 7, range: 22...24, minutes: 1)
        case .bodyFatPercentage: return Pattern(perDay: 1, firstHour: 7, range: 0.18...0.22, minutes: 1)
        case .leanBodyMass: return Pattern(perDay: 1, firstHour: 7, range: 55...58, minutes: 1)
        case .sleepAnalysis: return Pattern(perDay: 1, firstHour: 0, range: 380...480, minutes: 450)
        case .sleepInBed: return Pattern(perDay: 1, firstHour: 0, range: 430...510, minutes: 480)
        case .sleepAsleep: return Pattern(perDay: 1, firstHour: 0, range: 380...470, minutes: 440)
        case .sleepAwake: return Pattern(perDay: 1, firstHour: 3, range: 10...40, minutes: 25)
        case .sleepCore: return Pattern(perDay: 1, firstHour: 1, range: 200...250, minutes: 220)
        case .sleepDeep: return Pattern(perDay: 1, firstHour: 1, range: 50...90, minutes: 70)
        case .sleepREM: return Pattern(perDay: 1, firstHour: 4, range: 80...110, minutes: 95)
        default: return Pattern(perDay: 1, firstHour: 12, range: 1...10, minutes: 1)
        }
    }
}
