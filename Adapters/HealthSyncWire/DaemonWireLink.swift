import HealthSyncDomain
import HealthSyncPorts

/// How a control channel moves one request to the daemon at an address
/// and its answer. Throws only `HealthSyncError` (`DAEMON_UNREACHABLE`
/// when nothing listens or answers within `timeout`).
public protocol ControlExchange: Sendable {
    func send(_ request: WireRequest, to address: ControlAddress, timeout: Duration) async throws -> WireResponse
}

/// The control API's client side, shared by every control channel: each
/// typed call becomes one request with the token, its answer decoded here.
public struct DaemonWireLink: DaemonLink {
    public let address: ControlAddress
    private let token: SecretBytes?
    private let exchange: any ControlExchange

    public init(address: ControlAddress, token: SecretBytes?, exchange: any ControlExchange) {
        self.address = address
        self.token = token
        self.exchange = exchange
    }

    public func health(timeout: Duration) async throws -> ControlHealth {
        try await call(ControlHealth.self, "GET", ControlRoute.health, timeout: timeout)
    }

    public func status(timeout: Duration) async throws -> StatusReport {
        try await call(StatusReport.self, "GET", ControlRoute.status, timeout: timeout)
    }

    public func initiatePairing(timeout: Duration) async throws -> ControlInvitation {
        try await call(ControlInvitation.self, "POST", ControlRoute.pairInitiate, timeout: timeout)
    }

    public func pairingState(timeout: Duration) async throws -> ControlPairingState {
        try await call(ControlPairingState.self, "GET", ControlRoute.pairPending, timeout: timeout)
    }

    public func respond(accept: Bool, timeout: Duration) async throws {
        _ = try await call(ControlWire.Done.self, "POST", ControlRoute.pairRespond,
                           body: try WireCodec.encode(ControlWire.Response(accept: accept)), timeout: timeout)
    }

    public func cancelPairing(timeout: Duration) async throws {
        _ = try await call(ControlWire.Done.self, "POST", ControlRoute.pairCancel, timeout: timeout)
    }

    public func join(_ join: ControlJoin, timeout: Duration) async throws -> PairedReport {
        try await call(PairedReport.self, "POST", ControlRoute.pairJoin, body: try WireCodec.encode(join), timeout: timeout)
    }

    public func devices(timeout: Duration) async throws -> DevicesReport {
        try await call(DevicesReport.self, "GET", ControlRoute.devices, timeout: timeout)
    }

    public func unpair(_ selector: String, timeout: Duration) async throws -> UnpairReport {
        try await call(UnpairReport.self, "DELETE", ControlRoute.devicePrefix + PercentEncoding.encode(selector),
                       timeout: timeout)
    }

    private func call<T: Decodable>(_ type: T.Type, _ method: String, _ path: String, body: [UInt8] = [],
                                    timeout: Duration) async throws -> T {
        let headers = token.map { [ControlWire.tokenField: String(decoding: $0.bytes, as: UTF8.self)] } ?? [:]
        let response = try await exchange.send(WireRequest(method: method, path: path, headers: headers, body: body),
                                               to: address, timeout: timeout)
        return try WireCodec.result(type, from: response, maxBytes: WireCodec.maxResponseBytes)
    }
}
