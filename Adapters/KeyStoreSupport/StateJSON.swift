import FoundationEssentials
import HealthSyncDomain

/// The JSON form of stored records (peer files, SQLite columns), shared by
/// the keystores that keep them: sorted keys, pretty printed, dates as
/// `Timestamp` text, so files are readable and every date round-trips
/// exactly at millisecond precision.
public enum StateJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .timestamp
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .timestamp
        return decoder
    }
}
