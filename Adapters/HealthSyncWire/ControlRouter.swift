import HealthSyncDomain
import HealthSyncPorts

/// The control API's server side, shared by every control channel: refuses
/// a `Host` that is not loopback (a browser tricked by DNS rebinding sends
/// the attacker's name), checks the token in constant time, decodes the request, calls the daemon's use
/// cases through `DaemonRequests`, and encodes the answer or the error.
public struct ControlRouter: Sendable {
    private let token: SecretBytes
    private let requests: any DaemonRequests

    public init(token: SecretBytes, requests: any DaemonRequests) {
        self.token = token
        self.requests = requests
    }

    /// Answers one request; every failure becomes an error response.
    public func handle(_ request: WireRequest) async -> WireResponse {
        guard request.body.count <= WireCodec.maxRequestBytes else {
            return WireResponse(error: HealthSyncError(.payloadTooLarge))
        }
        do {
            if let host = request.headers[ControlWire.hostField], !Self.isLoopbackHost(host) {
                throw HealthSyncError(.apiUnauthorized, "The control API answers only requests addressed to this machine",
                                      hint: "Address it as 127.0.0.1, [::1] or localhost.")
            }
            if request.method == "GET" && request.path == ControlRoute.health {
                return try .ok(await requests.health())
            }
            guard let presented = request.headers[ControlWire.tokenField],
                  ConstantTime.equals(Array(presented.utf8), token.bytes) else {
                throw HealthSyncError(.apiUnauthorized,
                                      hint: "Send the token in <state_dir>/api.token in the \(ControlRoute.tokenHeader) header.")
            }
            return try await route(request)
        } catch {
            return WireResponse(error: HealthSyncError.wrap(error, as: .protocolError, "The request failed"))
        }
    }

    /// A `Host` field naming the loopback interface, with or without a port.
    static func isLoopbackHost(_ value: String) -> Bool {
        guard let endpoint = try? Endpoint(parsing: value, defaultPort: 80) else { return false }
        return Endpoint.isLoopback(endpoint.host)
    }

    private func route(_ request: WireRequest) async throws -> WireResponse {
        switch (request.method, request.path) {
        case ("GET", ControlRoute.status):
            return try .ok(try await requests.status())
        case ("POST", ControlRoute.pairInitiate):
            return try .ok(try await requests.initiatePairing())
        case ("GET", ControlRoute.pairPending):
            return try .ok(await requests.pairingState())
        case ("POST", ControlRoute.pairRespond):
            let answer = try WireCodec.decode(ControlWire.Response.self, from: request.body)
            try await requests.respond(accept: answer.accept)
            return try .ok(ControlWire.Done())
        case ("POST", ControlRoute.pairCancel):
            await requests.cancelPairing()
            return try .ok(ControlWire.Done())
        case ("POST", ControlRoute.pairJoin):
            return try .ok(try await requests.join(try WireCodec.decode(ControlJoin.self, from: request.body)))
        case ("GET", ControlRoute.devices):
            return try .ok(try await requests.devices())
        case ("DELETE", let path) where path.hasPrefix(ControlRoute.devicePrefix) && path.count > ControlRoute.devicePrefix.count:
            let raw = String(path.dropFirst(ControlRoute.devicePrefix.count))
            return try .ok(try await requests.unpair(PercentEncoding.decode(raw) ?? raw))
        default:
            throw HealthSyncError(.invalidArgument, "No route \(request.method.prefix(16)) \(request.path.prefix(128))",
                                  hint: "Routes: GET /health, GET /status, POST /pair/initiate, POST /pair/join, "
                                      + "GET /pair/pending, POST /pair/respond, POST /pair/cancel, GET /devices, DELETE /devices/{id}.")
        }
    }
}
