import FoundationEssentials

/// What an Apple Health export element means as HealthSync samples: its
/// type, value, dates and everything else it says, and a stable ID derived
/// from all of it (the export has none, and a re-import must add nothing),
/// so two elements share an ID exactly when they are identical.
public enum AppleHealthMapping {
    /// Why an element is left out.
    public enum Skip: Error, Sendable, Equatable, CustomStringConvertible {
        case notHealthKit(String)
        case badValue(String)
        case badDate(String)

        public var description: String {
            switch self {
            case .notHealthKit(let type): "type \(type.prefix(80)) is no HealthKit identifier"
            case .badValue(let type): "unreadable value for \(type.prefix(80))"
            case .badDate(let type): "unreadable date for \(type.prefix(80))"
            }
        }
    }

    /// The samples an element becomes, one result per element read (a
    /// Correlation's Records and a Workout's routes are elements of their own).
    public static func samples(from record: ExportRecord, id: ([UInt8]) -> String) -> [Result<HealthSample, Skip>] {
        switch record.kind {
        case .record: return [quantityOrCategory(record, id: id)]
        case .workout: return workout(record, id: id)
        case .correlation: return correlation(record, id: id)
        case .activitySummary: return [activitySummary(record, id: id)]
        case .audiogram: return [audiogram(record, id: id)]
        case .clinicalRecord: return [clinicalRecord(record, id: id)]
        case .electrocardiogram: return [electrocardiogram(record, id: id)]
        case .workoutRoute: return [route(record, workout: nil, id: id)]
        }
    }

    static func quantityOrCategory(_ record: ExportRecord, id: ([UInt8]) -> String) -> Result<HealthSample, Skip> {
        let identifier = record.type
        guard let type = HealthDataType.forIdentifier(identifier) else { return .failure(.notHealthKit(identifier)) }
        guard let dates = Dates(record) else { return .failure(.badDate(type.rawValue)) }
        let details = childDetails(record.children)
        if type.kind == .category {
            let name = record["value"]
            let minutes = dates.end.timeIntervalSince(dates.start) / 60
            if type == .sleepAnalysis {
                return make(record, sleepStage(name) ?? .sleepAnalysis, minutes, "min", dates, text: name,
                            details: details, id: id)
            }
            if type == .standHours {
                switch name {
                case "HKCategoryValueAppleStandHourStood": return make(record, .standHours, 1, "count", dates, text: name, id: id)
                case "HKCategoryValueAppleStandHourIdle": return make(record, .standHours, 0, "count", dates, text: name, id: id)
                default: break
                }
            }
            // A category's value is a name; a number where one stands (older exports).
            let number = name.flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil }
            return make(record, type, number ?? minutes, number == nil ? "min" : "count", dates, text: name,
                        details: details, id: id)
        }
        guard let raw = record["value"].flatMap(Double.init), raw.isFinite else { return .failure(.badValue(type.rawValue)) }
        let written = record["unit"] ?? type.unit
        if type.isCatalogued, let converted = AppleHealthUnits.convert(raw, from: written, to: type.unit), converted.isFinite {
            return make(record, type, converted, type.unit, dates, details: details, id: id)
        }
        return make(record, type, raw, written, dates, details: details, id: id)
    }

    /// Child elements (HRV beats, workout events…) grouped by name, attributes as written.
    static func childDetails(_ children: [ExportElement], into object: [String: JSONValue] = [:]) -> JSONValue? {
        var object = object
        for child in children {
            let attributes = JSONValue.object(child.attributes.mapValues(JSONValue.string))
            if case .array(var list) = object[child.name] {
                list.append(attributes)
                object[child.name] = .array(list)
            } else {
                object[child.name] = .array([attributes])
            }
        }
        return object.isEmpty ? nil : .object(object)
    }

    /// A record's start and end, and the UTC offset they were written with.
    struct Dates {
        let start: Date, end: Date, offset: Int?

        init?(_ record: ExportRecord, start startKey: String = "startDate", end endKey: String = "endDate") {
            guard let startText = record[startKey], let start = parseDate(startText) else { return nil }
            let end = record[endKey].map(parseDate) ?? start
            guard let end, end >= start else { return nil }
            self.init(start: start, end: end, offset: parseOffsetMinutes(startText))
        }

        init(start: Date, end: Date, offset: Int?) {
            (self.start, self.end, self.offset) = (start, end, offset)
        }
    }

    /// The sample, with its ID taken from everything it holds.
    static func make(_ record: ExportRecord, _ type: HealthDataType, _ value: Double, _ unit: String, _ dates: Dates,
                     text: String? = nil, details: JSONValue? = nil, id: ([UInt8]) -> String) -> Result<HealthSample, Skip> {
        guard value.isFinite else { return .failure(.badValue(type.rawValue)) }
        // Stored at the precision samples keep (milliseconds, 6 decimals) so the identity is the same on re-import.
        let rounded = (value * 1_000_000).rounded() / 1_000_000
        let draft = HealthSample(
            id: "", type: type, value: rounded, unit: unit,
            startDate: Date(millisecondsSince1970: dates.start.millisecondsSince1970),
            endDate: Date(millisecondsSince1970: dates.end.millisecondsSince1970),
            sourceName: record["sourceName"] ?? "", metadata: record.metadata, text: text,
            utcOffsetMinutes: dates.offset, sourceVersion: record["sourceVersion"], device: record["device"],
            creationDate: record["creationDate"].flatMap(parseDate), details: details?.text)
        return .success(draft.with(id: id(identity(of: draft))))
    }

    /// The bytes a sample's stable ID is derived from (the caller keys a hash
    /// with them): every field but the ID, each prefixed by its length so no
    /// two different samples have the same bytes. Built as bytes, not text:
    /// it runs for every element of every import.
    public static func identity(of sample: HealthSample) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + (sample.details?.utf8.count ?? 0))
        func field(_ text: String?) {
            guard let text else {
                out += [UInt8(ascii: "-"), UInt8(ascii: ":")]
                return
            }
            out += String(text.utf8.count).utf8
            out.append(UInt8(ascii: ":"))
            out += text.utf8
        }
        field(sample.type.rawValue)
        field(String(sample.value))
        field(sample.unit)
        field(String(sample.startDate.millisecondsSince1970))
        field(String(sample.endDate.millisecondsSince1970))
        field(sample.sourceName)
        field(sample.text)
        field(sample.utcOffsetMinutes.map(String.init))
        field(sample.sourceVersion)
        field(sample.device)
        field(sample.creationDate.map { String($0.millisecondsSince1970) })
        field(sample.details)
        if sample.metadata.count == 1, let (key, value) = sample.metadata.first {
            field(key)
            field(value)
        } else {
            for key in sample.metadata.keys.sorted() {
                field(key)
                field(sample.metadata[key])
            }
        }
        return out
    }

    /// A UUID-shaped ID from the first 16 bytes of a digest (version 8: "custom").
    public static func uuid(fromDigest digest: [UInt8]) -> String {
        let hex: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            for index in 0..<16 {
                var byte = index < digest.count ? digest[index] : 0
                if index == 6 { byte = (byte & 0x0f) | 0x80 }
                if index == 8 { byte = (byte & 0x3f) | 0x80 }
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                text[position] = hex.utf8Start[Int(byte >> 4)]
                text[position + 1] = hex.utf8Start[Int(byte & 0x0f)]
                position += 2
            }
            return position
        }
    }

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

    /// `yyyy-MM-dd HH:mm:ss ±HHMM`, the form every export date takes.
    public static func parseDate(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 25, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              bytes[19] == UInt8(ascii: " "), let offset = parseOffsetMinutes(text),
              let year = digits(bytes, 0..<4), let month = digits(bytes, 5..<7), let day = digits(bytes, 8..<10),
              let hour = digits(bytes, 11..<13), let minute = digits(bytes, 14..<16), let second = digits(bytes, 17..<19),
              (1...12).contains(month), day >= 1, day <= Timestamp.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61 else { return nil }
        let local = ((Timestamp.days(fromCivil: year, month, day) * 24 + hour) * 60 + minute) * 60 + min(second, 59)
        return Date(millisecondsSince1970: (local - Int64(offset) * 60) * 1000)
    }

    /// The `±HHMM` of an export date, in minutes east of UTC.
    public static func parseOffsetMinutes(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 25, bytes[20] == UInt8(ascii: "+") || bytes[20] == UInt8(ascii: "-"),
              let hours = digits(bytes, 21..<23), let minutes = digits(bytes, 23..<25), hours < 24, minutes < 60 else {
            return nil
        }
        return (bytes[20] == UInt8(ascii: "-") ? -1 : 1) * Int(hours * 60 + minutes)
    }

    /// `yyyy-MM-dd` (an ActivitySummary's day), as midnight UTC.
    static func parseDay(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = digits(bytes, 0..<4), let month = digits(bytes, 5..<7), let day = digits(bytes, 8..<10),
              (1...12).contains(month), day >= 1, day <= Timestamp.daysIn(month: month, year: year) else { return nil }
        return Date(millisecondsSince1970: Timestamp.days(fromCivil: year, month, day) * 86_400_000)
    }

    static func digits(_ bytes: [UInt8], _ range: Range<Int>) -> Int64? {
        var value: Int64 = 0
        for index in range {
            guard bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
        }
        return value
    }
}
