/// The JSON bodies of the `pair/*` routes. Byte strings travel as hex;
/// certificates and CSRs as PEM.
public enum PairingMessage {
    /// POST pair/token: the joiner proves it holds the QR token, bound to
    /// this connection (HMAC over the channel binding), and asks for a
    /// client certificate.
    public struct TokenRequest: Codable, Sendable {
        public let proof: String
        public let joiner: Joiner

        public init(proof: String, joiner: Joiner) {
            self.proof = proof
            self.joiner = joiner
        }
    }

    /// Who is joining: its name, CSR and CA.
    public struct Joiner: Codable, Sendable {
        public let name: String
        public let csr: String
        public let caCertificate: String

        public init(name: String, csr: String, caCertificate: String) {
            self.name = name
            self.csr = csr
            self.caCertificate = caCertificate
        }
    }

    /// POST pair/code/parameters → PBKDF2 salt and iterations for this session.
    public struct CodeParameters: Codable, Sendable {
        public let salt: String
        public let iterations: Int

        public init(salt: String, iterations: Int) {
            self.salt = salt
            self.iterations = iterations
        }
    }

    /// POST pair/code/share: the prover's share and name.
    public struct CodeShare: Codable, Sendable {
        public let shareP: String
        public let name: String

        public init(shareP: String, name: String) {
            self.shareP = shareP
            self.name = name
        }
    }

    /// The verifier's share and confirmation.
    public struct CodeShareReply: Codable, Sendable {
        public let shareV: String
        public let confirmV: String

        public init(shareV: String, confirmV: String) {
            self.shareV = shareV
            self.confirmV = confirmV
        }
    }

    /// POST pair/code/confirm: the prover's confirmation, then (once the
    /// sharing user accepts) the same exchange as the token path.
    public struct CodeConfirm: Codable, Sendable {
        public let confirmP: String
        public let joiner: Joiner

        public init(confirmP: String, joiner: Joiner) {
            self.confirmP = confirmP
            self.joiner = joiner
        }
    }

    /// The sharing device's answer once the joiner is authenticated: the
    /// joiner's client certificate, its own CA and server certificate, and
    /// its CSR for the joiner's CA to sign.
    public struct Exchange: Codable, Sendable {
        public let name: String
        public let clientCertificate: String
        public let caCertificate: String
        public let serverCertificate: String
        public let csr: String

        public init(name: String, clientCertificate: String, caCertificate: String, serverCertificate: String, csr: String) {
            self.name = name
            self.clientCertificate = clientCertificate
            self.caCertificate = caCertificate
            self.serverCertificate = serverCertificate
            self.csr = csr
        }
    }

    /// POST pair/finish: the certificate the joiner's CA issued to the sharing device.
    public struct Finish: Codable, Sendable {
        public let clientCertificate: String

        public init(clientCertificate: String) { self.clientCertificate = clientCertificate }
    }

    public struct Done: Codable, Sendable {
        public let paired: Bool

        public init(paired: Bool) { self.paired = paired }
    }
}

/// GET health/data → one page.
public struct SamplesPageMessage: Codable, Sendable {
    public let samples: [HealthSample]
    public let nextCursor: String?

    public init(samples: [HealthSample], nextCursor: String?) {
        self.samples = samples
        self.nextCursor = nextCursor
    }
}

/// POST certificates/renew: a CSR for the key the client already has.
public struct RenewalRequest: Codable, Sendable {
    public let csr: String

    public init(csr: String) { self.csr = csr }
}

/// The new client certificate, issued by the server's CA.
public struct RenewalReply: Codable, Sendable {
    public let clientCertificate: String

    public init(clientCertificate: String) { self.clientCertificate = clientCertificate }
}

/// GET status → who the device is.
public struct PeerStatusMessage: Codable, Sendable {
    public let name: String
    public let deviceID: DeviceID
    public let version: String
    public let sharedTypes: [HealthDataType]

    public init(name: String, deviceID: DeviceID, version: String, sharedTypes: [HealthDataType]) {
        self.name = name
        self.deviceID = deviceID
        self.version = version
        self.sharedTypes = sharedTypes
    }
}
