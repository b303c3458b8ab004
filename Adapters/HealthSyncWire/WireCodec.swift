import FoundationEssentials
import HealthSyncDomain

/// JSON for the wire: compact, sorted keys, dates as `Timestamp` text, and
/// every decode bounded in size. Malformed input is `PROTOCOL_ERROR`, never
/// a crash.
public enum WireCodec {
    /// Requests are small; pages of samples are not.
    public static let maxRequestBytes = 256 * 1024
    public static let maxResponseBytes = 32 * 1024 * 1024

    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .timestamp
        do { return Array(try encoder.encode(value)) } catch {
            throw HealthSyncError(.protocolError, "Cannot encode a message", cause: "\(error)")
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], maxBytes: Int = maxRequestBytes) throws -> T {
        guard bytes.count <= maxBytes else {
            throw HealthSyncError(.payloadTooLarge, "A message of \(bytes.count) bytes is larger than \(maxBytes)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .timestamp
        do { return try decoder.decode(T.self, from: Data(bytes)) } catch {
            throw HealthSyncError(.protocolError, "The peer sent a malformed \(T.self)")
        }
    }

    /// The error a failed response carries, or `PROTOCOL_ERROR` when it carries none.
    public static func error(from response: WireResponse) -> HealthSyncError {
        guard let body = try? decode(WireError.self, from: response.body, maxBytes: 64 * 1024),
              ErrorCode(rawValue: body.error.code) != nil else {
            return HealthSyncError(.protocolError, "The peer answered HTTP \(response.status) without a HealthSync error")
        }
        // Another host's words: printable, one line each, bounded.
        let remote = body.error.error
        return HealthSyncError(remote.code, Printable.clean(remote.message, maxLength: 512),
                               hint: Printable.clean(remote.hint, maxLength: 512))
    }

    /// Decodes a successful response, or throws the error it carries.
    public static func result<T: Decodable>(_ type: T.Type, from response: WireResponse,
                                            maxBytes: Int = maxRequestBytes) throws -> T {
        guard response.status == 200 else { throw error(from: response) }
        return try decode(type, from: response.body, maxBytes: maxBytes)
    }
}
