import FoundationEssentials

/// Where a running daemon listens; written to `<state_dir>/daemon.json`
/// while it runs, for `status` and for browser extensions looking for the
/// TCP port the OS chose. The CLI reaches the daemon on `control`.
public struct DaemonInfo: Sendable, Codable, Equatable {
    public let pid: Int32
    public let deviceID: DeviceID
    /// The peer listener (mutual TLS).
    public let peer: Endpoint
    /// The local control API on TCP (browser extensions).
    public let api: Endpoint
    /// The control API's Unix socket (the CLI's way in), when there is one.
    public let control: String?
    /// Where discovery probes are answered (UDP), when they are.
    public let discovery: Endpoint?
    public let startedAt: Date
    public let version: String

    public init(pid: Int32, deviceID: DeviceID, peer: Endpoint, api: Endpoint, control: String? = nil,
                discovery: Endpoint? = nil, startedAt: Date, version: String) {
        self.pid = pid
        self.deviceID = deviceID
        self.peer = peer
        self.api = api
        self.control = control
        self.discovery = discovery
        self.startedAt = startedAt
        self.version = version
    }
}

/// A daemon's answer to "are you there?".
public struct ControlHealth: Sendable, Codable, Equatable {
    public let status: String
    public let version: String

    public init(status: String, version: String) {
        self.status = status
        self.version = version
    }
}

/// The pairing session a daemon started.
public struct ControlInvitation: Sendable, Codable, Equatable {
    public let code: String
    /// The QR payload text.
    public let payload: String
    public let expiresAt: Date
    public let expiresIn: Int
    /// Where the joiner dials.
    public let advertised: String
    /// Every current address (`advertised` first); absent from older daemons.
    public let addresses: [String]?

    public init(code: String, payload: String, expiresAt: Date, expiresIn: Int, advertised: String, addresses: [String]? = nil) {
        self.code = code
        self.payload = payload
        self.expiresAt = expiresAt
        self.expiresIn = expiresIn
        self.advertised = advertised
        self.addresses = addresses
    }
}

/// Where a daemon's pairing session stands.
public struct ControlPairingState: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// No session, and no result of an earlier one.
        case idle
        /// Waiting for a joiner.
        case waiting
        /// A joiner proved the code; the sharing user must answer.
        case pending
        /// Accepted or proven by token; certificates are being exchanged.
        case exchanging
        /// The latest session ended with a pairing.
        case paired
        /// The latest session ended without one (`error` says why).
        case failed
    }

    public struct Request: Sendable, Codable, Equatable {
        public let name: String
        public let deviceID: DeviceID?
        public let checkNumber: String?

        public init(name: String, deviceID: DeviceID?, checkNumber: String?) {
            self.name = name
            self.deviceID = deviceID
            self.checkNumber = checkNumber
        }
    }

    public let state: State
    public let code: String?
    public let expiresAt: Date?
    /// The joining (or, once paired, the paired) device.
    public let request: Request?
    public let error: ErrorSummary?
    /// The session's refused attempts so far, oldest first (at most the last 32).
    public let failures: [PairingFailure]?

    public init(state: State, code: String? = nil, expiresAt: Date? = nil, request: Request? = nil,
                error: ErrorSummary? = nil, failures: [PairingFailure] = []) {
        self.state = state
        self.code = code
        self.expiresAt = expiresAt
        self.request = request
        self.error = error
        self.failures = failures.isEmpty ? nil : failures
    }
}

/// Joining through a daemon: a code and the sharing device's address, or a QR payload.
public struct ControlJoin: Sendable, Codable, Equatable {
    public let code: String?
    public let host: String?
    public let payload: String?

    public init(code: String? = nil, host: String? = nil, payload: String? = nil) {
        self.code = code
        self.host = host
        self.payload = payload
    }
}
