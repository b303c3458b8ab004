/// The stable error codes of HealthSync. The raw value is the wire and JSON
/// form; a test freezes the list, so codes are only ever added deliberately.
public enum ErrorCode: String, Sendable, Codable, CaseIterable {
    // Trust (guide 001).
    case certHasExpired = "CERT_HAS_EXPIRED"
    case certNotYetValid = "CERT_NOT_YET_VALID"
    case unableToVerifyLeafSignature = "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
    case noClientCertificate = "NO_CLIENT_CERTIFICATE"
    case certRevoked = "CERT_REVOKED"
    case certCommonNameInvalid = "CERT_COMMON_NAME_INVALID"
    case selfSignedCertInChain = "SELF_SIGNED_CERT_IN_CHAIN"
    case fingerprintMismatch = "FINGERPRINT_MISMATCH"
    case deviceIDMismatch = "DEVICE_ID_MISMATCH"
    case notPaired = "NOT_PAIRED"
    case clockSkew = "CLOCK_SKEW"
    // Transport.
    case timedOut = "ETIMEDOUT"
    case unsupportedProtocol = "UNSUPPORTED_PROTOCOL"
    case deviceNotFound = "DEVICE_NOT_FOUND"
    case protocolError = "PROTOCOL_ERROR"
    case payloadTooLarge = "PAYLOAD_TOO_LARGE"
    // Pairing.
    case pairingTokenExpired = "PAIRING_TOKEN_EXPIRED"
    case pairingTokenInvalid = "PAIRING_TOKEN_INVALID"
    case invalidPairingCode = "INVALID_PAIRING_CODE"
    case pairingRejected = "PAIRING_REJECTED"
    case pairingBusy = "PAIRING_BUSY"
    case pairingRateLimited = "PAIRING_RATE_LIMITED"
    case invalidQRPayload = "INVALID_QR_PAYLOAD"
    // Configuration and local state.
    case configInvalid = "CONFIG_INVALID"
    case keystoreCorrupt = "KEYSTORE_CORRUPT"
    case keystorePermissions = "KEYSTORE_PERMISSIONS"
    case storageFailure = "STORAGE_FAILURE"
    // Daemon and control API.
    case daemonUnreachable = "DAEMON_UNREACHABLE"
    case apiUnauthorized = "API_UNAUTHORIZED"
    case daemonAlreadyRunning = "DAEMON_ALREADY_RUNNING"
    // Usage and internals.
    case invalidArgument = "INVALID_ARGUMENT"
    case unknownDevice = "UNKNOWN_DEVICE"
    case cryptoFailure = "CRYPTO_FAILURE"

    /// The category decides the process exit code (one table, in the CLI).
    public var category: ErrorCategory {
        switch self {
        case .certHasExpired, .certNotYetValid, .unableToVerifyLeafSignature, .noClientCertificate,
             .certRevoked, .certCommonNameInvalid, .selfSignedCertInChain, .fingerprintMismatch,
             .deviceIDMismatch, .notPaired, .clockSkew:
            return .trust
        case .timedOut, .unsupportedProtocol, .deviceNotFound, .protocolError, .payloadTooLarge:
            return .transport
        case .pairingTokenExpired, .pairingTokenInvalid, .invalidPairingCode, .pairingRejected, .pairingBusy,
             .pairingRateLimited, .invalidQRPayload:
            return .pairing
        case .configInvalid, .keystoreCorrupt, .keystorePermissions, .storageFailure:
            return .state
        case .daemonUnreachable, .apiUnauthorized, .daemonAlreadyRunning:
            return .daemon
        case .invalidArgument, .unknownDevice:
            return .usage
        case .cryptoFailure:
            return .internal
        }
    }
}

/// Groups of error codes that share an exit code.
public enum ErrorCategory: String, Sendable, Codable, CaseIterable {
    case usage, pairing, trust, transport, state, daemon, `internal`
}
