/// An error as reports and peers carry it: its stable code, message and
/// hint, never its cause (which may name local paths).
public struct ErrorSummary: Codable, Sendable, Equatable {
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

    /// The error this summary names, bounded; an unknown code is `PROTOCOL_ERROR`.
    public var error: HealthSyncError {
        guard let code = ErrorCode(rawValue: code) else {
            return HealthSyncError(.protocolError, "Unknown error code \(code.prefix(64))")
        }
        return HealthSyncError(code, String(message.prefix(500)), hint: String(hint.prefix(500)))
    }
}
