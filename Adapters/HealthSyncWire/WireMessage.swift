import HealthSyncDomain

/// One request of the wire protocol between devices and to the daemon
/// (DESIGN §5, §6): an HTTP/1.1 method, path, query and JSON body. Adapters
/// frame it; the routers and links in this module give it meaning.
public struct WireRequest: Sendable, Equatable {
    public let method: String
    public let path: String
    public let query: [String: String]
    /// Header fields the protocol reads (the control API's token); names in lower case.
    public let headers: [String: String]
    public let body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// A request from its request-target (`/path?a=1&b=2`, query items
    /// percent-decoded, at most 32).
    public init(method: String, uri: String, headers: [String: String] = [:], body: [UInt8] = []) {
        let (path, query) = PercentEncoding.split(uri)
        self.init(method: method, path: path, query: query, headers: headers, body: body)
    }

    /// The request-target: the path and the percent-encoded query, items sorted.
    public var uri: String { PercentEncoding.join(path: path, query: query) }
}

/// One response: an HTTP status and a JSON body.
public struct WireResponse: Sendable, Equatable {
    public let status: Int
    public let body: [UInt8]
    /// Header fields a client reads (names in lower case; the first of each
    /// name): servers of other projects say when to come back in them.
    public let headers: [String: String]

    public init(status: Int, body: [UInt8], headers: [String: String] = [:]) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    /// An error as `{"error":{"code","message","hint"}}` with the status for its code.
    public init(error: HealthSyncError) {
        self.init(status: WireStatus.status(for: error.code),
                  body: (try? WireCodec.encode(WireError(error: ErrorSummary(error)))) ?? [])
    }

    /// A successful answer carrying `value`.
    public static func ok(_ value: some Encodable) throws -> WireResponse {
        WireResponse(status: 200, body: try WireCodec.encode(value))
    }
}

/// The HTTP status each error code travels with. Clients read the code in
/// the body, not the status; the status is for curl and proxies.
public enum WireStatus {
    public static func status(for code: ErrorCode) -> Int {
        switch code {
        case .noClientCertificate, .apiUnauthorized: return 401
        case .unknownDevice, .notPaired: return 404
        case .payloadTooLarge: return 413
        case .pairingBusy, .daemonAlreadyRunning: return 409
        case .pairingTokenExpired: return 410
        case .pairingTokenInvalid: return 400
        case .pairingRateLimited: return 429
        case .protocolError, .invalidArgument, .invalidPairingCode, .invalidQRPayload: return 400
        case .cryptoFailure, .storageFailure, .keystoreCorrupt, .keystorePermissions, .configInvalid: return 500
        default: return 403
        }
    }
}

/// The error envelope every failed response carries.
public struct WireError: Codable, Sendable {
    public let error: ErrorSummary

    public init(error: ErrorSummary) { self.error = error }
}
