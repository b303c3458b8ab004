import FoundationEssentials
/// The steps of pairing as values (DESIGN §4): what the joiner sends and
/// what the sharing device answers, with byte strings as bytes and
/// certificates and CSRs as PEM text. How they travel is the wire's
/// business; the pairing session and its drivers see only these.
public enum PairingMessage {
    /// The joiner proves it holds the QR token, bound to this connection
    /// (HMAC over the channel binding), and asks for a client certificate.
    public struct TokenRequest: Sendable, Equatable {
        public let proof: [UInt8]
        public let joiner: Joiner

        public init(proof: [UInt8], joiner: Joiner) {
            self.proof = proof
            self.joiner = joiner
        }
    }

    /// Who is joining: its name, CSR and CA.
    public struct Joiner: Sendable, Equatable {
        public let name: String
        public let csr: String
        public let caCertificate: String

        public init(name: String, csr: String, caCertificate: String) {
            self.name = name
            self.csr = csr
            self.caCertificate = caCertificate
        }
    }

    /// PBKDF2 salt and iterations for this session's code.
    public struct CodeParameters: Sendable, Equatable {
        public let salt: [UInt8]
        public let iterations: Int
        /// What a joiner accepts from a server nobody has authenticated yet:
        /// up to OWASP's 600 000 for PBKDF2-SHA256 (well under a second).
        public static let allowedIterations = 1...600_000

        public init(salt: [UInt8], iterations: Int) {
            self.salt = salt
            self.iterations = iterations
        }
    }

    /// The prover's SPAKE2+ share and name.
    public struct CodeShare: Sendable, Equatable {
        public let shareP: [UInt8]
        public let name: String

        public init(shareP: [UInt8], name: String) {
            self.shareP = shareP
            self.name = name
        }
    }

    /// The verifier's share and confirmation.
    public struct CodeShareReply: Sendable, Equatable {
        public let shareV: [UInt8]
        public let confirmV: [UInt8]

        public init(shareV: [UInt8], confirmV: [UInt8]) {
            self.shareV = shareV
            self.confirmV = confirmV
        }
    }

    /// The prover's confirmation, then (once the sharing user accepts) the
    /// same exchange as the token path.
    public struct CodeConfirm: Sendable, Equatable {
        public let confirmP: [UInt8]
        public let joiner: Joiner

        public init(confirmP: [UInt8], joiner: Joiner) {
            self.confirmP = confirmP
            self.joiner = joiner
        }
    }

    /// The sharing device's answer once the joiner is authenticated: the
    /// joiner's client certificate, its own CA and server certificate, and
    /// its CSR for the joiner's CA to sign.
    public struct Exchange: Sendable, Equatable {
        public let name: String
        public let clientCertificate: String
        public let caCertificate: String
        public let serverCertificate: String
        public let csr: String
        /// On the token path: HMAC(token, server label + channel binding), the
        /// sharing device's proof that it issued the token, for a joiner that
        /// has only the token (no CA fingerprint to pin).
        public let serverProof: [UInt8]?

        public init(name: String, clientCertificate: String, caCertificate: String, serverCertificate: String, csr: String,
                    serverProof: [UInt8]? = nil) {
            self.name = name
            self.clientCertificate = clientCertificate
            self.caCertificate = caCertificate
            self.serverCertificate = serverCertificate
            self.csr = csr
            self.serverProof = serverProof
        }

        /// The same exchange with the token path's server proof.
        public func proving(_ proof: [UInt8]) -> Exchange {
            Exchange(name: name, clientCertificate: clientCertificate, caCertificate: caCertificate,
                     serverCertificate: serverCertificate, csr: csr, serverProof: proof)
        }
    }

    /// The last step: the certificate the joiner's CA issued to the sharing device.
    public struct Finish: Sendable, Equatable {
        public let clientCertificate: String

        public init(clientCertificate: String) { self.clientCertificate = clientCertificate }
    }
}

/// Who a paired device says it is (the answer to a status request).
public struct PeerStatus: Codable, Sendable, Equatable {
    public let name: String
    public let deviceID: DeviceID
    public let version: String
    public let sharedTypes: [HealthDataType]
    /// The peer's clock when it answered (absent from older peers).
    public let time: Date?

    public init(name: String, deviceID: DeviceID, version: String, sharedTypes: [HealthDataType], time: Date? = nil) {
        self.name = name
        self.deviceID = deviceID
        self.version = version
        self.sharedTypes = sharedTypes
        self.time = time
    }

    // Older peers (schema 1) read `sharedTypes` with the 31 names they know
    // and fail on any other, so that list keeps to those; the whole list
    // travels as `allSharedTypes`, whose names a reader skips when it does
    // not know them (a peer newer than this one).
    private enum CodingKeys: String, CodingKey { case name, deviceID, version, sharedTypes, allSharedTypes, time }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        deviceID = try container.decode(DeviceID.self, forKey: .deviceID)
        version = try container.decode(String.self, forKey: .version)
        time = try container.decodeIfPresent(Date.self, forKey: .time)
        if let all = try container.decodeIfPresent([String].self, forKey: .allSharedTypes) {
            sharedTypes = all.prefix(1000).compactMap(HealthDataType.init(rawValue:))
        } else {
            sharedTypes = try container.decode([String].self, forKey: .sharedTypes).prefix(1000)
                .compactMap(HealthDataType.init(rawValue:))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(deviceID, forKey: .deviceID)
        try container.encode(version, forKey: .version)
        try container.encodeIfPresent(time, forKey: .time)
        try container.encode(sharedTypes.filter(HealthDataType.schemaOne.contains), forKey: .sharedTypes)
        try container.encode(sharedTypes, forKey: .allSharedTypes)
    }
}
