import FoundationEssentials

/// `daemon` and `share`: where this device listens and, while sharing, the
/// pairing code and QR payload.
public struct ListeningReport: Sendable, Codable, Equatable {
    public let listening: String
    public let port: Int
    public let deviceID: DeviceID
    public let code: String?
    public let advertised: String?
    /// Every current address joiners may dial (`advertised` first).
    public let addresses: [String]?
    public let payload: String?
    public let expiresAt: Date?
    /// The daemon's control API.
    public let api: String?
    /// The payload as a QR code, for terminals (not part of the JSON).
    public private(set) var qr: QRCode?
    /// Where the QR code was also saved as PNG (`--qr-png`).
    public let qrImage: String?
    /// Where the daemon answers discovery probes (UDP).
    public let discovery: String?

    public init(listening: String, port: Int, deviceID: DeviceID, code: String? = nil, advertised: String? = nil,
                addresses: [String]? = nil, payload: String? = nil, expiresAt: Date? = nil, api: String? = nil, qr: QRCode? = nil,
                qrImage: String? = nil, discovery: String? = nil) {
        self.listening = listening
        self.port = port
        self.deviceID = deviceID
        self.code = code
        self.advertised = advertised
        self.addresses = addresses
        self.payload = payload
        self.expiresAt = expiresAt
        self.api = api
        self.qr = qr
        self.qrImage = qrImage
        self.discovery = discovery
    }

    enum CodingKeys: String, CodingKey {
        case listening, port, deviceID, code, advertised, addresses, payload, expiresAt, api, qrImage, discovery
    }
}

/// `share`: the devices that paired while it ran.
public struct SharedReport: Sendable, Codable, Equatable {
    public let paired: [PairedReport]

    public init(paired: [PairedReport]) { self.paired = paired }
}

/// `pair --code` / `pair --token`: the device this one paired with.
public struct PairedReport: Sendable, Codable, Equatable {
    public let name: String
    public let deviceID: DeviceID
    public let address: String?

    public init(name: String, deviceID: DeviceID, address: String?) {
        self.name = name
        self.deviceID = deviceID
        self.address = address
    }
}

/// `fetch`: the samples read, and how to print them.
public struct FetchReport: Sendable, Codable, Equatable {
    public typealias Format = SampleFormat

    public let device: String
    public let deviceID: DeviceID
    public let format: Format
    public let samples: [HealthSample]

    public init(device: String, deviceID: DeviceID, format: Format, samples: [HealthSample]) {
        self.device = device
        self.deviceID = deviceID
        self.format = format
        self.samples = samples
    }
}

/// `unpair`: who was unpaired and whether they were told.
public struct UnpairReport: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        public let name: String
        public let deviceID: DeviceID
        public let notified: Bool

        public init(name: String, deviceID: DeviceID, notified: Bool) {
            self.name = name
            self.deviceID = deviceID
            self.notified = notified
        }
    }

    public let devices: [Entry]

    public init(devices: [Entry]) { self.devices = devices }
}
