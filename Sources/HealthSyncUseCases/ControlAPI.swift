import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The daemon's side of the local control API (DESIGN §6): checks the
/// token in constant time, then maps each route onto a use case.
public struct ControlAPI: Sendable {
    private let deps: Dependencies
    private let host: PairingHost
    private let token: SecretBytes
    private let info: DaemonInfo
    /// Where joiners dial this device (the address shown with the code).
    private let advertised: Endpoint
    private let stateDir: String

    public init(_ deps: Dependencies, host: PairingHost, token: SecretBytes, info: DaemonInfo, advertised: Endpoint,
                stateDir: String) {
        self.deps = deps
        self.host = host
        self.token = token
        self.info = info
        self.advertised = advertised
        self.stateDir = stateDir
    }

    /// Answers one request; every failure becomes an error response.
    public func handle(_ request: ControlRequest) async -> WireResponse {
        do {
            if request.method == "GET" && request.path == ControlRoute.health {
                return try ok(ControlHealth(status: "ok", version: deps.version))
            }
            guard let presented = request.token, ConstantTime.equals(Array(presented.utf8), token.bytes) else {
                throw HealthSyncError(.apiUnauthorized)
            }
            return try await route(request)
        } catch {
            return WireResponse(error: HealthSyncError.wrap(error, as: .protocolError, "The request failed"))
        }
    }

    private func route(_ request: ControlRequest) async throws -> WireResponse {
        switch (request.method, request.path) {
        case ("GET", ControlRoute.status):
            return try ok(try DeviceService(deps).status(stateDir: stateDir).with(daemon: info))
        case ("POST", ControlRoute.pairInitiate):
            let invitation = try await host.initiate(advertising: advertised)
            return try ok(ControlInvitation(
                code: invitation.code, payload: invitation.qrText, expiresAt: invitation.expiresAt,
                expiresIn: max(0, Int(invitation.expiresAt.timeIntervalSince(deps.clock.now()).rounded())),
                advertised: advertised.description))
        case ("GET", ControlRoute.pairPending):
            return try ok(await pairingState())
        case ("POST", ControlRoute.pairRespond):
            let answer = try WireCodec.decode(ControlResponse.self, from: request.body)
            try await host.respond(accept: answer.accept)
            return try ok(ControlDone())
        case ("POST", ControlRoute.pairCancel):
            await host.cancel()
            return try ok(ControlDone())
        case ("POST", ControlRoute.pairJoin):
            let join = try WireCodec.decode(ControlJoin.self, from: request.body)
            let record = try await joinSession(join)
            return try ok(PairedReport(name: record.name, deviceID: record.deviceID, address: record.lastAddress))
        case ("GET", ControlRoute.devices):
            return try ok(try DeviceService(deps).devices())
        case ("DELETE", let path) where path.hasPrefix(ControlRoute.devicePrefix) && path.count > ControlRoute.devicePrefix.count:
            let selector = String(path.dropFirst(ControlRoute.devicePrefix.count)).removingPercentEncodingSafely
            let outcomes = try await UnpairService(deps).unpair(selector)
            return try ok(UnpairReport(devices: outcomes.map { .init(name: $0.name, deviceID: $0.deviceID, notified: $0.notified) }))
        default:
            throw HealthSyncError(.invalidArgument, "No route \(request.method) \(request.path)",
                                  hint: "Routes: GET /health, GET /status, POST /pair/initiate, POST /pair/join, "
                                      + "GET /pair/pending, POST /pair/respond, POST /pair/cancel, GET /devices, DELETE /devices/{id}.")
        }
    }

    private func joinSession(_ join: ControlJoin) async throws -> PeerRecord {
        let guest = PairingGuest(deps)
        if let payload = join.payload, join.code == nil {
            return try await guest.join(payloadText: payload)
        }
        guard let code = join.code, join.payload == nil else {
            throw HealthSyncError(.invalidArgument, "Send either {\"code\",\"host\"} or {\"payload\"}")
        }
        let target = try join.host.map { try Endpoint(parsing: $0, defaultPort: 8443) } ?? deps.settings.serverEndpoint
        guard let target else {
            throw HealthSyncError(.invalidArgument, "Where is the sharing device?",
                                  hint: "Send \"host\" with the address the sharing device shows.")
        }
        return try await guest.join(code: code, endpoint: target)
    }

    private func pairingState() async -> ControlPairingState {
        switch await host.state() {
        case .waiting(let code, let expiresAt):
            return ControlPairingState(state: .waiting, code: code, expiresAt: expiresAt)
        case .pending(let name, let deviceID, let check):
            return ControlPairingState(state: .pending, request: .init(name: name, deviceID: deviceID, checkNumber: check))
        case .exchanging(let name):
            return ControlPairingState(state: .exchanging, request: .init(name: name, deviceID: nil, checkNumber: nil))
        case .idle:
            switch await host.outcome {
            case .paired(let name, let deviceID):
                return ControlPairingState(state: .paired, request: .init(name: name, deviceID: deviceID, checkNumber: nil))
            case .failed(let error):
                return ControlPairingState(state: .failed, error: WireError.Body(error))
            case nil:
                return ControlPairingState(state: .idle)
            }
        }
    }

    private func ok(_ value: some Encodable) throws -> WireResponse {
        WireResponse(status: 200, body: try WireCodec.encode(value))
    }
}

extension String {
    /// Percent-decoded, or as it is when not valid percent-encoding.
    var removingPercentEncodingSafely: String {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return self }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
