/// The one error type of HealthSync: a stable code, a message for people, a
/// hint saying what to do next (as the guides do), and an optional cause.
/// Messages and hints never contain secrets.
public struct HealthSyncError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String
    public let hint: String
    public let cause: String?

    public init(_ code: ErrorCode, _ message: String? = nil, hint: String? = nil, cause: String? = nil) {
        self.code = code
        self.message = message ?? code.defaultMessage
        self.hint = hint ?? code.defaultHint
        self.cause = cause
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Wraps any error as a HealthSyncError, keeping ours as they are.
    public static func wrap(_ error: any Error, as code: ErrorCode, _ message: String) -> HealthSyncError {
        if let own = error as? HealthSyncError { return own }
        return HealthSyncError(code, message, cause: String(describing: error))
    }
}
