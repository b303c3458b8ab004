import FoundationEssentials

/// Guide 001's certificate report: this device and every certificate it holds.
public struct CertificateReport: Sendable, Codable, Equatable {
    public let device: DeviceLine
    public let certificates: [CertificateEntry]
    /// Titles of certificates this device does not have yet (e.g. no client
    /// certificate before pairing), with why.
    public let missing: [MissingCertificate]

    public init(device: DeviceLine, certificates: [CertificateEntry], missing: [MissingCertificate]) {
        self.device = device
        self.certificates = certificates
        self.missing = missing
    }
}

public struct MissingCertificate: Sendable, Codable, Equatable {
    public let title: String
    public let reason: String

    public init(title: String, reason: String) {
        self.title = title
        self.reason = reason
    }
}

public struct CertificateEntry: Sendable, Codable, Equatable {
    /// "Client Certificate", "Server Certificate (cached)", "CA Certificate", …
    public let title: String
    /// client | server | ca | peer-server | peer-ca
    public let kind: String
    /// The paired device this certificate belongs to or came from, if any.
    public let peer: String?
    public let subject: String
    public let issuer: String
    public let validFrom: Date
    public let validTo: Date
    public let status: CertificateValidity
    public let serial: String
    public let fingerprint: SHA256Fingerprint
    public let deviceID: DeviceID?

    public init(title: String, kind: String, peer: String?, certificate: Certificate, at now: Date) {
        self.title = title
        self.kind = kind
        self.peer = peer
        self.subject = certificate.subject
        self.issuer = certificate.issuer
        self.validFrom = certificate.notBefore
        self.validTo = certificate.notAfter
        self.status = certificate.validity(at: now)
        self.serial = certificate.serial
        self.fingerprint = certificate.fingerprint
        self.deviceID = certificate.deviceID
    }
}

/// Files written by `cert export`.
public struct ExportReport: Sendable, Encodable, Equatable {
    public struct File: Sendable, Encodable, Equatable {
        public let path: String
        public let contents: String
        /// Secret files are written 0600 and their contents never shown.
        public let secret: Bool

        public init(path: String, contents: String, secret: Bool) {
            self.path = path
            self.contents = contents
            self.secret = secret
        }

        enum CodingKeys: String, CodingKey { case path, secret }
    }

    public let destination: String
    public let files: [File]

    public init(destination: String, files: [File]) {
        self.destination = destination
        self.files = files
    }
}
