import FoundationEssentials

/// Local discovery (like Syncthing's): a daemon answers UDP probes on the
/// local network with who it is and where its peer listener is. Answers are
/// hints, never trust: a device found this way is still judged by its
/// certificate when dialled.
public enum DiscoveryMessage {
    /// Probes and answers are small; anything larger is ignored.
    public static let maxBytes = 1024
    /// The probe: `{"healthsync":"discover","version":1}`.
    public static let probe = Array(#"{"healthsync":"discover","version":1}"#.utf8)

    public static func isProbe(_ bytes: [UInt8]) -> Bool { bytes == probe }
}

/// What a daemon says about itself.
public struct DiscoveryAnnouncement: Sendable, Codable, Equatable {
    public let name: String
    public let deviceID: DeviceID
    /// The peer (mutual-TLS) port; the address is where the answer came from.
    public let port: Int
    public let version: String
    /// True while a pairing session is open there (never the code), so a
    /// joiner with a code but no address knows whom to try; absent otherwise.
    public let pairing: Bool?

    public init(name: String, deviceID: DeviceID, port: Int, version: String, pairing: Bool = false) {
        self.name = name
        self.deviceID = deviceID
        self.port = port
        self.version = version
        self.pairing = pairing ? true : nil
    }

    /// The same announcement with the pairing flag set or cleared.
    public func pairing(_ open: Bool) -> DiscoveryAnnouncement {
        DiscoveryAnnouncement(name: name, deviceID: deviceID, port: port, version: version, pairing: open)
    }

    /// Whether an answer is worth showing: a real port and short texts.
    public var isWellFormed: Bool {
        (1...65535).contains(port) && name.count <= 64 && version.count <= 32
            && Printable.clean(name) == name && Printable.clean(version) == version
    }
}

/// One answer to a probe, with the address it came from.
public struct DiscoveredDevice: Sendable, Equatable {
    public let announcement: DiscoveryAnnouncement
    /// The answering host (as the network reported it).
    public let host: String

    public init(announcement: DiscoveryAnnouncement, host: String) {
        self.announcement = announcement
        self.host = host
    }
}

/// `discover`: the devices that answered, and (verbose) the paired devices dialled.
public struct DiscoverReport: Sendable, Codable, Equatable {
    public struct Found: Sendable, Codable, Equatable {
        public let name: String
        public let deviceID: DeviceID
        public let address: String
        public let version: String
        /// Whether this device is paired with it.
        public let paired: Bool

        public init(name: String, deviceID: DeviceID, address: String, version: String, paired: Bool) {
            self.name = name
            self.deviceID = deviceID
            self.address = address
            self.version = version
            self.paired = paired
        }
    }

    public struct PairedCheck: Sendable, Codable, Equatable {
        public let name: String
        public let deviceID: DeviceID
        public let check: LiveCheck

        public init(name: String, deviceID: DeviceID, check: LiveCheck) {
            self.name = name
            self.deviceID = deviceID
            self.check = check
        }
    }

    /// Where probes were sent.
    public let probed: [String]
    public let found: [Found]
    /// With `--verbose`: each paired sharing device dialled at its known address.
    public let paired: [PairedCheck]?

    public init(probed: [String], found: [Found], paired: [PairedCheck]?) {
        self.probed = probed
        self.found = found
        self.paired = paired
    }
}
