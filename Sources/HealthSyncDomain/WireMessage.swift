/// One request of the wire protocol between devices (DESIGN §5): HTTP/1.1
/// with JSON bodies, carried by a transport adapter.
public struct WireRequest: Sendable, Equatable {
    public let method: String
    public let path: String
    public let query: [String: String]
    public let body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }
}

/// One response: an HTTP status and a JSON body.
public struct WireResponse: Sendable, Equatable {
    public let status: Int
    public let body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// An error as `{"error":{"code","message","hint"}}` with a status for its code.
    public init(error: HealthSyncError) {
        let body = WireError(error: .init(code: error.code.rawValue, message: error.message, hint: error.hint))
        self.init(status: Self.status(for: error.code), body: (try? WireCodec.encode(body)) ?? [])
    }

    public static func status(for code: ErrorCode) -> Int {
        switch code {
        case .noClientCertificate, .apiUnauthorized: return 401
        case .unknownDevice, .notPaired: return 404
        case .payloadTooLarge: return 413
        case .pairingBusy: return 409
        case .pairingTokenExpired: return 410
        case .pairingTokenInvalid: return 400
        case .pairingRateLimited: return 429
        case .protocolError, .invalidArgument, .invalidPairingCode, .invalidQRPayload: return 400
        case .cryptoFailure, .storageFailure, .keystoreCorrupt, .keystorePermissions, .configInvalid: return 500
        default: return 403
        }
    }
}

/// The routes under /api/v1/. Only `pair/*` may be called without a client certificate.
public enum WireRoute {
    public static let pairToken = "/api/v1/pair/token"
    public static let pairCodeParameters = "/api/v1/pair/code/parameters"
    public static let pairCodeShare = "/api/v1/pair/code/share"
    public static let pairCodeConfirm = "/api/v1/pair/code/confirm"
    public static let pairFinish = "/api/v1/pair/finish"
    public static let status = "/api/v1/status"
    public static let healthTypes = "/api/v1/health/types"
    public static let healthData = "/api/v1/health/data"
    /// `?after=SEQ&limit=N`: samples stored or changed since (for `sync`).
    public static let healthChanges = "/api/v1/health/changes"
    public static let unpair = "/api/v1/unpair"
    /// A paired client whose certificate ends within 30 days asks for a new one.
    public static let renewCertificate = "/api/v1/certificates/renew"

    public static func isPairing(_ path: String) -> Bool { path.hasPrefix("/api/v1/pair/") }
}
