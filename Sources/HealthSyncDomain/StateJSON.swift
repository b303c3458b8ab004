import FoundationEssentials

/// The JSON form of stored records (peer files, SQLite columns): sorted keys,
/// dates as ISO 8601 UTC with milliseconds (`2026-01-07T10:20:30.456Z`), so
/// files are readable and every date round-trips exactly at millisecond
/// precision.
public enum StateJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(format(date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date: \(text)")
            }
            return date
        }
        return decoder
    }

    public static func format(_ date: Date) -> String {
        let millis = date.millisecondsSince1970
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = millis - seconds * 1000
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count <= 40, text.hasSuffix("Z") else { return nil }
        let body = text.dropLast()
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = try? Date.ISO8601FormatStyle().parse(parts[0] + "Z") else { return nil }
        var millis = Int64(whole.timeIntervalSince1970) * 1000
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.count), let value = Int64(digits), value >= 0 else { return nil }
            millis += value * Int64([1, 100, 10, 1][digits.count])
        }
        return Date(millisecondsSince1970: millis)
    }
}
