import FoundationEssentials

/// JSON for the wire: compact, sorted keys, dates as ISO 8601 with
/// milliseconds, and every decode bounded in size. Malformed input is
/// `PROTOCOL_ERROR`, never a crash.
public enum WireCodec {
    /// Requests between devices are small; pages of samples are not.
    public static let maxRequestBytes = 256 * 1024
    public static let maxResponseBytes = 32 * 1024 * 1024

    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = StateJSON.encoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return Array(try encoder.encode(value)) } catch {
            throw HealthSyncError(.protocolError, "Cannot encode a message", cause: "\(error)")
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], maxBytes: Int = maxRequestBytes) throws -> T {
        guard bytes.count <= maxBytes else {
            throw HealthSyncError(.payloadTooLarge, "A message of \(bytes.count) bytes is larger than \(maxBytes)")
        }
        do { return try StateJSON.decoder().decode(T.self, from: Data(bytes)) } catch {
            throw HealthSyncError(.protocolError, "The peer sent a malformed \(T.self)")
        }
    }

    /// The error a failed response carries, or `PROTOCOL_ERROR` when it carries none.
    public static func error(from response: WireResponse) -> HealthSyncError {
        guard let body = try? decode(WireError.self, from: response.body, maxBytes: 64 * 1024),
              let code = ErrorCode(rawValue: body.error.code) else {
            return HealthSyncError(.protocolError, "The peer answered HTTP \(response.status) without a HealthSync error")
        }
        return HealthSyncError(code, String(body.error.message.prefix(500)), hint: String(body.error.hint.prefix(500)))
    }

    /// The error an error body names (`PROTOCOL_ERROR` for an unknown code).
    public static func error(from body: WireError.Body) -> HealthSyncError {
        guard let code = ErrorCode(rawValue: body.code) else {
            return HealthSyncError(.protocolError, "Unknown error code \(body.code.prefix(64))")
        }
        return HealthSyncError(code, String(body.message.prefix(500)), hint: String(body.hint.prefix(500)))
    }

    /// Decodes a successful response, or throws the error it carries.
    public static func result<T: Decodable>(_ type: T.Type, from response: WireResponse,
                                            maxBytes: Int = maxRequestBytes) throws -> T {
        guard response.status == 200 else { throw error(from: response) }
        return try decode(type, from: response.body, maxBytes: maxBytes)
    }
}

public struct WireError: Codable, Sendable {
    public struct Body: Codable, Sendable, Equatable {
        public let code: String
        public let message: String
        public let hint: String

        public init(code: String, message: String, hint: String) {
            self.code = code
            self.message = message
            self.hint = hint
        }

        public init(_ error: HealthSyncError) {
            self.init(code: error.code.rawValue, message: error.message, hint: error.hint)
        }
    }

    public let error: Body
}
