import FoundationEssentials

/// A paired device: what was pinned and issued at pairing time.
public struct PeerRecord: Sendable, Hashable, Codable {
    /// Which side of the pairing the peer played.
    public enum Role: String, Sendable, Codable {
        /// The peer shares its data with us (we joined it).
        case sharing
        /// The peer joined us and reads our data.
        case joined
    }

    public var name: String
    public var deviceID: DeviceID
    public var role: Role
    /// The peer's CA, pinned at pairing time.
    public var caFingerprint: SHA256Fingerprint
    public var caCertificatePEM: String
    /// The client certificate the peer's CA issued to us.
    public var clientCertificatePEM: String?
    /// The peer's server certificate as last seen (cached).
    public var serverCertificatePEM: String?
    /// Serials of the certificates our CA issued to the peer.
    public var issuedSerials: [String]
    /// The address of the last success (`host:port`): a hint, never identity.
    public var lastAddress: String?
    /// Every address learned, read and written through `addresses`
    /// (optional so records saved before it still decode).
    var knownAddresses: [KnownAddress]?
    public var lastSeen: Date?
    public var pairedAt: Date

    public init(name: String, deviceID: DeviceID, role: Role, caFingerprint: SHA256Fingerprint,
                caCertificatePEM: String, clientCertificatePEM: String? = nil,
                serverCertificatePEM: String? = nil, issuedSerials: [String] = [],
                lastAddress: String? = nil, lastSeen: Date? = nil, pairedAt: Date) {
        self.name = name
        self.deviceID = deviceID
        self.role = role
        self.caFingerprint = caFingerprint
        self.caCertificatePEM = caCertificatePEM
        self.clientCertificatePEM = clientCertificatePEM
        self.serverCertificatePEM = serverCertificatePEM
        self.issuedSerials = issuedSerials
        self.lastAddress = lastAddress
        self.lastSeen = lastSeen
        self.pairedAt = pairedAt
    }
}

/// A certificate serial our CA revoked, and for whom.
public struct RevokedCertificate: Sendable, Hashable, Codable {
    public let serial: String
    public let deviceID: DeviceID
    public let revokedAt: Date

    public init(serial: String, deviceID: DeviceID, revokedAt: Date) {
        self.serial = serial
        self.deviceID = deviceID
        self.revokedAt = revokedAt
    }
}
