import FoundationEssentials

/// What an Apple Health export record means as a HealthSync sample: its
/// type, its value in the type's one unit, its dates, and a stable ID (the
/// export has none, and a re-import must not duplicate anything).
public enum AppleHealthMapping {
    /// Why a record is left out.
    public enum Skip: Error, Sendable, Equatable, CustomStringConvertible {
        case unsupportedType(String)
        case unsupportedUnit(String, HealthDataType)
        case badValue(HealthDataType)
        case badDate

        public var description: String {
            switch self {
            case .unsupportedType(let type): "unsupported type \(type.prefix(80))"
            case .unsupportedUnit(let unit, let type): "unit \(unit.prefix(40)) for \(type.rawValue)"
            case .badValue(let type): "unreadable value for \(type.rawValue)"
            case .badDate: "unreadable date"
            }
        }
    }

    /// The text a record's stable ID is derived from (the caller hashes it).
    public static func identity(of sample: HealthSample) -> String {
        [sample.type.rawValue, sample.sourceName, Timestamp.format(sample.startDate), Timestamp.format(sample.endDate),
         String(sample.value), sample.metadata["HKSleepAnalysisValue"] ?? ""].joined(separator: "\u{1f}")
    }

    /// A UUID-shaped ID from the first 16 bytes of a digest (version 8: "custom").
    public static func uuid(fromDigest digest: [UInt8]) -> String {
        var bytes = Array(digest.prefix(16))
        while bytes.count < 16 { bytes.append(0) }
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = Array(Hex.encode(bytes))
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
    }

    /// The sample `record` becomes (with `id` applied to its identity), or why not.
    public static func sample(from record: ExportRecord, id: (String) -> String) -> Result<HealthSample, Skip> {
        guard let start = parseDate(record.startDate), let end = parseDate(record.endDate), end >= start else {
            return .failure(.badDate)
        }
        var metadata = record.metadata
        if let device = record.device { metadata["HKDevice"] = device }
        let type: HealthDataType
        let value: Double
        switch record.kind {
        case .workout:
            type = .workouts
            metadata["HKWorkoutActivityType"] = record.type
            guard let duration = record.value.flatMap(Double.init), duration.isFinite, duration >= 0 else {
                // Old exports may lack a duration: the dates give it.
                return make(.workouts, end.timeIntervalSince(start) / 60)
            }
            guard let minutes = convert(duration, from: record.durationUnit ?? "min", to: "min") else {
                return .failure(.unsupportedUnit(record.durationUnit ?? "", .workouts))
            }
            return make(.workouts, minutes)
        case .record:
            switch record.type {
            case HealthDataType.sleepAnalysis.healthKitIdentifier:
                guard let stage = sleepStage(record.value) else { return .failure(.badValue(.sleepAnalysis)) }
                metadata["HKSleepAnalysisValue"] = record.value
                return make(stage, end.timeIntervalSince(start) / 60)
            case HealthDataType.standHours.healthKitIdentifier:
                switch record.value {
                case "HKCategoryValueAppleStandHourStood": return make(.standHours, 1)
                case "HKCategoryValueAppleStandHourIdle": return make(.standHours, 0)
                default: return .failure(.badValue(.standHours))
                }
            default:
                guard let mapped = quantityTypes[record.type] else { return .failure(.unsupportedType(record.type)) }
                guard let raw = record.value.flatMap(Double.init), raw.isFinite else { return .failure(.badValue(mapped)) }
                guard let converted = convert(raw, from: record.unit ?? mapped.unit, to: mapped.unit) else {
                    return .failure(.unsupportedUnit(record.unit ?? "", mapped))
                }
                type = mapped
                value = converted
            }
        }
        return make(type, value)

        func make(_ type: HealthDataType, _ value: Double) -> Result<HealthSample, Skip> {
            guard value.isFinite else { return .failure(.badValue(type)) }
            // Stored at the precision samples keep (milliseconds) so the identity is the same on re-import.
            let rounded = (value * 1_000_000).rounded() / 1_000_000
            let draft = HealthSample(id: "", type: type, value: rounded, unit: type.unit,
                                     startDate: Date(millisecondsSince1970: start.millisecondsSince1970),
                                     endDate: Date(millisecondsSince1970: end.millisecondsSince1970),
                                     sourceName: String(record.sourceName.prefix(ExportRecord.maxTextLength)),
                                     metadata: metadata)
            return .success(HealthSample(id: id(identity(of: draft)), type: type, value: rounded, unit: type.unit,
                                         startDate: draft.startDate, endDate: draft.endDate,
                                         sourceName: draft.sourceName, metadata: metadata))
        }
    }

    /// Quantity types by their HealthKit identifier (sleep, stand hours and workouts are handled apart).
    static let quantityTypes: [String: HealthDataType] = {
        var types: [String: HealthDataType] = [:]
        for type in HealthDataType.allCases where type.healthKitIdentifier.hasPrefix("HKQuantityTypeIdentifier") {
            types[type.healthKitIdentifier] = type
        }
        return types
    }()

    static func sleepStage(_ value: String?) -> HealthDataType? {
        switch value {
        case "HKCategoryValueSleepAnalysisInBed": .sleepInBed
        // "Asleep" is the pre-iOS 16 name of "AsleepUnspecified".
        case "HKCategoryValueSleepAnalysisAsleepUnspecified", "HKCategoryValueSleepAnalysisAsleep": .sleepAsleep
        case "HKCategoryValueSleepAnalysisAwake": .sleepAwake
        case "HKCategoryValueSleepAnalysisAsleepCore": .sleepCore
        case "HKCategoryValueSleepAnalysisAsleepDeep": .sleepDeep
        case "HKCategoryValueSleepAnalysisAsleepREM": .sleepREM
        default: nil
        }
    }

    /// Units as exports write them, to the canonical unit of a type: the
    /// factor to multiply by (temperatures are converted apart).
    static let factors: [String: [String: Double]] = [
        "m": ["m": 1, "km": 1000, "cm": 0.01, "mm": 0.001, "mi": 1609.344, "ft": 0.3048, "in": 0.0254, "yd": 0.9144],
        "kcal": ["kcal": 1, "Cal": 1, "cal": 0.001, "kJ": 1 / 4.184, "J": 1 / 4184],
        "kg": ["kg": 1, "g": 0.001, "lb": 0.45359237, "oz": 0.028349523125, "st": 6.35029318],
        "min": ["min": 1, "s": 1.0 / 60, "hr": 60, "h": 60, "ms": 1.0 / 60_000, "d": 1440],
        "ms": ["ms": 1, "s": 1000],
        "count/min": ["count/min": 1, "count/s": 60],
        "count": ["count": 1],
        "mmHg": ["mmHg": 1, "cmAq": 0.7355591, "kPa": 7.50061683],
        // `%` quantities are fractions in exports (0.97, not 97).
        "fraction": ["%": 1, "fraction": 1],
        "mL/(kg*min)": ["mL/min·kg": 1, "mL/(kg*min)": 1, "ml/(kg*min)": 1, "mL/kg/min": 1],
    ]

    static func convert(_ value: Double, from unit: String, to canonical: String) -> Double? {
        if unit == canonical { return value }
        if canonical == "degC" {
            switch unit {
            case "degF": return (value - 32) * 5 / 9
            case "K": return value - 273.15
            default: return nil
            }
        }
        return factors[canonical]?[unit].map { value * $0 }
    }

    /// `yyyy-MM-dd HH:mm:ss ±HHMM`, the form every export date takes.
    public static func parseDate(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 25, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              bytes[19] == UInt8(ascii: " "), bytes[20] == UInt8(ascii: "+") || bytes[20] == UInt8(ascii: "-") else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              let offsetHours = number(21..<23), let offsetMinutes = number(23..<25),
              (1...12).contains(month), day >= 1, day <= Timestamp.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61, offsetHours < 24, offsetMinutes < 60 else { return nil }
        let sign: Int64 = bytes[20] == UInt8(ascii: "-") ? -1 : 1
        let local = ((Timestamp.days(fromCivil: year, month, day) * 24 + hour) * 60 + minute) * 60 + min(second, 59)
        let utc = local - sign * (offsetHours * 3600 + offsetMinutes * 60)
        return Date(millisecondsSince1970: utc * 1000)
    }
}
