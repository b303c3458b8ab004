import HealthSyncDomain

/// One request to the daemon's local control API.
public struct ControlRequest: Sendable, Equatable {
    public let method: String
    /// The path without a query string.
    public let path: String
    /// The `X-HealthSync-Token` header, if sent.
    public let token: String?
    public let body: [UInt8]

    public init(method: String, path: String, token: String? = nil, body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.token = token
        self.body = body
    }
}

/// A handler for control requests (the daemon's router).
public typealias ControlHandler = @Sendable (ControlRequest) async -> WireResponse

/// The local control API between the CLI and a running daemon (DESIGN §6):
/// plain HTTP/1.1 on the loopback interface, or its in-memory equivalent.
public protocol ControlChannel: Sendable {
    /// Serves `handler` on `endpoint` (port 0: any free port). Request
    /// bodies larger than `WireCodec.maxRequestBytes` are answered with 413
    /// without reaching the handler; idle clients are cut off.
    func serve(on endpoint: Endpoint, handler: @escaping ControlHandler) async throws -> any TransportListener

    /// Sends one request to the daemon at `endpoint` and returns its answer,
    /// whatever its status. Throws `DAEMON_UNREACHABLE` when nothing listens
    /// or nothing answers within `timeoutMilliseconds`.
    func send(_ request: ControlRequest, to endpoint: Endpoint, timeoutMilliseconds: Int) async throws -> WireResponse
}
