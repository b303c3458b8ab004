import FoundationEssentials

/// Dates as text: ISO 8601 UTC with milliseconds (`2026-01-07T10:20:30.456Z`),
/// so every date round-trips exactly at the millisecond precision samples
/// are kept at. Every JSON form HealthSync writes (keystore files, the wire,
/// QR payloads) uses it.
public enum Timestamp {
    /// `2026-01-07T08:00:00.000Z`: UTC, milliseconds. Hand-written (civil
    /// dates from days, after H. Hinnant) because it runs for every date of
    /// every sample on the wire.
    public static func format(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        format(date, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `format(date)` appended to `out` (the wire's sample writer puts three in every sample).
    public static func format(_ date: Date, into out: inout [UInt8]) {
        let millis = date.millisecondsSince1970
        let day = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let inDay = millis - day * 86_400_000
        let (year, month, dayOfMonth) = civil(fromDays: day)
        guard (0...9999).contains(year) else {
            // Outside four-digit years: the slow, general formatter.
            let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
            let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
            let digits = String(millis - seconds * 1000)
            out.append(contentsOf: (whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z").utf8)
            return
        }
        // Fixed positions: YYYY-MM-DDTHH:MM:SS.mmmZ
        let start = out.count
        out.append(contentsOf: "0000-00-00T00:00:00.000Z".utf8)
        func put(_ value: Int64, at end: Int, width: Int) {
            var rest = value
            for index in stride(from: start + end + width - 1, through: start + end, by: -1) {
                out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(year, at: 0, width: 4); put(month, at: 5, width: 2); put(dayOfMonth, at: 8, width: 2)
        put(inDay / 3_600_000, at: 11, width: 2); put(inDay / 60_000 % 60, at: 14, width: 2)
        put(inDay / 1000 % 60, at: 17, width: 2); put(inDay % 1000, at: 20, width: 3)
    }

    /// `2026-01-07T08:00:00Z`: UTC to the second, as JSONEncoder's `.iso8601`
    /// strategy writes it (the presenter's documents), without the ICU time-zone
    /// set-up Foundation's formatter makes at its first use (a millisecond of `status`).
    public static func formatSeconds(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        format(date, into: &bytes)
        guard bytes.count == 24 else { return date.formatted(Date.ISO8601FormatStyle()) }
        return String(decoding: bytes.prefix(19), as: UTF8.self) + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z` (UTC only), checking every field.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 24, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        var millis: Int64 = 0
        if bytes.count > 20 {
            let digits = bytes.count - 21
            guard bytes[19] == UInt8(ascii: "."), (1...3).contains(digits), let fraction = number(20..<(20 + digits)) else {
                return nil
            }
            millis = fraction * [1, 100, 10, 1][digits]
        } else if bytes[19] != UInt8(ascii: "Z") {
            return nil
        }
        let days = Self.days(fromCivil: year, month, day)
        return Date(millisecondsSince1970: ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
    }

    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension JSONEncoder.DateEncodingStrategy {
    /// Dates as `Timestamp.format` writes them.
    public static var timestamp: Self {
        .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
    }
}

extension JSONDecoder.DateDecodingStrategy {
    /// Dates as `Timestamp.parse` reads them; anything else is a decoding error.
    public static var timestamp: Self {
        .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date: \(text)")
            }
            return date
        }
    }
}
