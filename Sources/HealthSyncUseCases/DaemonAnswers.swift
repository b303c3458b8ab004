import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// What a running daemon answers to the CLI (DESIGN §6), each answer a use
/// case; the control channel checks the token before any of these runs.
public struct DaemonAnswers: DaemonRequests {
    private let deps: Dependencies
    private let host: PairingHost
    private let info: DaemonInfo
    /// Where joiners dial this device (the address shown with the code):
    /// `--advertise`, else this machine's address when the session starts,
    /// so a daemon that moved networks does not advertise where it was.
    private let advertiseHost: String?
    private let stateDir: String

    public init(_ deps: Dependencies, host: PairingHost, info: DaemonInfo, advertiseHost: String?, stateDir: String) {
        self.deps = deps
        self.host = host
        self.info = info
        self.advertiseHost = advertiseHost
        self.stateDir = stateDir
    }

    private var advertised: Advertisement {
        Advertisement(override: advertiseHost, port: info.peer.port, discovery: deps.discovery)
    }

    public func health() async -> ControlHealth { ControlHealth(status: "ok", version: deps.version) }

    public func status() async throws -> StatusReport {
        try DeviceService(deps).status(stateDir: stateDir).with(daemon: info)
    }

    public func initiatePairing() async throws -> ControlInvitation {
        let advertised = self.advertised
        let invitation = try await host.initiate(advertising: advertised.primary, alternates: advertised.alternates)
        return ControlInvitation(
            code: invitation.code, payload: invitation.qrText, expiresAt: invitation.expiresAt,
            expiresIn: max(0, Int(invitation.expiresAt.timeIntervalSince(deps.clock.now()).rounded())),
            advertised: advertised.primary.description, addresses: advertised.all)
    }

    public func pairingState() async -> ControlPairingState {
        let state = await host.state(), failures = await host.failures
        switch state {
        case .waiting(let code, let expiresAt):
            return ControlPairingState(state: .waiting, code: await host.shown(code), expiresAt: expiresAt, failures: failures)
        case .pending(let name, let deviceID, let check):
            return ControlPairingState(state: .pending, request: .init(name: name, deviceID: deviceID, checkNumber: check),
                                       failures: failures)
        case .exchanging(let name):
            return ControlPairingState(state: .exchanging, request: .init(name: name, deviceID: nil, checkNumber: nil),
                                       failures: failures)
        case .idle:
            switch await host.outcome {
            case .paired(let name, let deviceID):
                return ControlPairingState(state: .paired, request: .init(name: name, deviceID: deviceID, checkNumber: nil))
            case .failed(let error):
                return ControlPairingState(state: .failed, error: ErrorSummary(error))
            case nil:
                return ControlPairingState(state: .idle)
            }
        }
    }

    public func respond(accept: Bool) async throws { try await host.respond(accept: accept) }

    public func cancelPairing() async { await host.cancel() }

    public func join(_ join: ControlJoin) async throws -> PairedReport {
        let guest = PairingGuest(deps)
        let record: PeerRecord
        if let payload = join.payload, join.code == nil {
            record = try await guest.join(payloadText: payload)
        } else {
            guard let code = join.code, join.payload == nil else {
                throw HealthSyncError(.invalidArgument, "Send either {\"code\",\"host\"} or {\"payload\"}")
            }
            if PairingCode.splitRemote(code) != nil {
                record = try await guest.join(code: code, host: join.host)
            } else {
                record = try await guest.join(code: code, endpoint: try PeerConnector(deps: deps).sharingEndpoint(join.host))
            }
        }
        return PairedReport(name: record.name, deviceID: record.deviceID, address: record.lastAddress)
    }

    public func devices() async throws -> DevicesReport { try DeviceService(deps).devices() }

    public func unpair(_ selector: String) async throws -> UnpairReport {
        try await UnpairService(deps).report(selector)
    }
}
