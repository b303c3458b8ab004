import FoundationEssentials

/// Guide 000's status block, plus the paired devices behind it.
public struct StatusReport: Sendable, Codable, Equatable {
    public let paired: Bool
    public let device: DeviceLine
    /// The paired sharing device shown first (the guide's "Device:").
    public let peer: DeviceSummary?
    public let peers: [DeviceSummary]
    public let secure: String
    /// The fingerprint of the CA the connection is pinned to (the peer's CA
    /// when paired, else this device's own CA).
    public let fingerprint: SHA256Fingerprint
    public let enabledTypes: Int
    public let version: String
    public let stateDir: String
    public let keystore: String
    /// The daemon serving this device, when one answered.
    public var daemon: DaemonInfo?
    /// The Syncthing-form ID relays and global discovery servers know this
    /// device by, when any are configured (`reach.relays`, `reach.discovery`).
    public var reachID: String?
    /// The result of dialling the paired sharing device, when there is one.
    public var live: LiveCheck?

    public init(paired: Bool, device: DeviceLine, peer: DeviceSummary?, peers: [DeviceSummary],
                secure: String, fingerprint: SHA256Fingerprint, enabledTypes: Int, version: String,
                stateDir: String, keystore: String) {
        self.paired = paired
        self.device = device
        self.peer = peer
        self.peers = peers
        self.secure = secure
        self.fingerprint = fingerprint
        self.enabledTypes = enabledTypes
        self.version = version
        self.stateDir = stateDir
        self.keystore = keystore
    }

    public func with(daemon: DaemonInfo?) -> StatusReport {
        var copy = self
        copy.daemon = daemon
        return copy
    }

    public func with(live: LiveCheck?) -> StatusReport {
        var copy = self
        copy.live = live
        return copy
    }
}

/// `status`'s live check: the paired sharing device dialled over mutual TLS.
public struct LiveCheck: Sendable, Codable, Equatable {
    public let reachable: Bool
    public let address: String?
    /// Round trip of the connection and one request, in milliseconds.
    public let milliseconds: Int?
    /// Why it was not reachable.
    public let error: ErrorSummary?
    /// `CLOCK_SKEW` when it answered with a clock more than 5 minutes off ours.
    public let clock: ErrorSummary?

    public init(reachable: Bool, address: String?, milliseconds: Int?, error: ErrorSummary?, clock: ErrorSummary? = nil) {
        self.reachable = reachable
        self.address = address
        self.milliseconds = milliseconds
        self.error = error
        self.clock = clock
    }
}

/// One paired device as lists show it.
public struct DeviceSummary: Sendable, Codable, Equatable {
    public let name: String
    public let deviceID: DeviceID
    public let role: PeerRecord.Role
    public let pairedAt: Date
    public let lastSeen: Date?
    public let lastAddress: String?
    /// Every address it is known at, in the order they are tried.
    public let addresses: [KnownAddress]
    /// When the certificate that lets us reach the peer (or it reach us) ends.
    public let certificateExpiry: Date?
    /// When samples were last received from it (by `sync` or the daemon's live sync).
    public let lastSync: Date?
    /// New or changed samples received from it in all.
    public let samplesReceived: Int

    public init(record: PeerRecord, certificateExpiry: Date?, sync: SyncRecord = SyncRecord()) {
        self.lastSync = sync.lastSync
        self.samplesReceived = sync.received
        self.name = record.name
        self.deviceID = record.deviceID
        self.role = record.role
        self.pairedAt = record.pairedAt
        self.lastSeen = record.lastSeen
        self.lastAddress = record.lastAddress
        self.addresses = record.addresses
        self.certificateExpiry = certificateExpiry
    }
}

public struct DevicesReport: Sendable, Codable, Equatable {
    public let devices: [DeviceSummary]

    public init(devices: [DeviceSummary]) { self.devices = devices }
}
