import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The CLI's side of the local control API: `pair`, `status` and `unpair`
/// ask the running daemon, with the token from the keystore.
public struct DaemonClient: Sendable {
    private let deps: Dependencies
    private let record: DaemonRecord
    private let fixedEndpoint: Endpoint?

    /// A client of the daemon `record` locates, or of the one at `endpoint`.
    public init(_ deps: Dependencies, record: DaemonRecord, endpoint: Endpoint? = nil) {
        self.deps = deps
        self.record = record
        self.fixedEndpoint = endpoint
    }

    public var endpoint: Endpoint { fixedEndpoint ?? record.apiEndpoint() }

    public func health() async throws -> ControlHealth {
        try await call(ControlHealth.self, "GET", ControlRoute.health, authenticated: false)
    }

    public func status() async throws -> StatusReport {
        try await call(StatusReport.self, "GET", ControlRoute.status)
    }

    public func initiate() async throws -> ControlInvitation {
        try await call(ControlInvitation.self, "POST", ControlRoute.pairInitiate)
    }

    public func pending() async throws -> ControlPairingState {
        try await call(ControlPairingState.self, "GET", ControlRoute.pairPending)
    }

    public func respond(accept: Bool) async throws {
        _ = try await call(ControlDone.self, "POST", ControlRoute.pairRespond,
                           body: try WireCodec.encode(ControlResponse(accept: accept)))
    }

    public func cancel() async throws {
        _ = try await call(ControlDone.self, "POST", ControlRoute.pairCancel)
    }

    public func devices() async throws -> DevicesReport {
        try await call(DevicesReport.self, "GET", ControlRoute.devices)
    }

    public func unpair(_ selector: String) async throws -> UnpairReport {
        var allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
        allowed.remove(UInt8(ascii: "%"))
        let escaped = selector.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : "%" + Hex.encode([$0]) }.joined()
        return try await call(UnpairReport.self, "DELETE", ControlRoute.devicePrefix + escaped)
    }

    /// Waits until the daemon's pairing session is in none of `states`,
    /// polling every `interval`.
    public func awaitPairing(past states: Set<ControlPairingState.State>,
                             interval: Duration = .milliseconds(250)) async throws -> ControlPairingState {
        while true {
            let state = try await pending()
            if !states.contains(state.state) { return state }
            try await Task.sleep(for: interval)
        }
    }

    private func call<T: Decodable>(_ type: T.Type, _ method: String, _ path: String, body: [UInt8] = [],
                                    authenticated: Bool = true) async throws -> T {
        var token: String?
        if authenticated {
            guard let secret = try deps.keyStore.apiToken() else {
                throw HealthSyncError(.daemonUnreachable, "Failed to connect to daemon: none has run with this state directory")
            }
            token = String(decoding: secret.bytes, as: UTF8.self)
        }
        let response = try await deps.control.send(ControlRequest(method: method, path: path, token: token, body: body),
                                                   to: endpoint, timeoutMilliseconds: deps.settings.timeoutMilliseconds)
        return try WireCodec.result(type, from: response, maxBytes: WireCodec.maxResponseBytes)
    }
}
