import FoundationEssentials

/// `fetch --debug-tls`: what a connection negotiated, what the peer
/// presented, and how it was judged.
public struct ConnectionReport: Sendable, Codable, Equatable {
    public struct ChainEntry: Sendable, Codable, Equatable {
        public let subject: String
        public let issuer: String
        public let serial: String
        public let notBefore: Date
        public let notAfter: Date
        public let fingerprint: SHA256Fingerprint
        public let isCA: Bool

        public init(_ certificate: Certificate) {
            subject = certificate.subject
            issuer = certificate.issuer
            serial = certificate.serial
            notBefore = certificate.notBefore
            notAfter = certificate.notAfter
            fingerprint = certificate.fingerprint
            isCA = certificate.isCA
        }
    }

    public let address: String
    public let version: String
    public let cipher: String
    public let alpn: String?
    /// Leaf first, as the peer sent it.
    public let chain: [ChainEntry]
    /// The chain verification against the pinned CA.
    public let verifyResult: String
    /// The trust policy's verdict: "OK" or the error code it refused with.
    public let trust: String

    public init(address: String, version: String, cipher: String, alpn: String?, chain: [ChainEntry],
                verifyResult: String, trust: String) {
        self.address = address
        self.version = version
        self.cipher = cipher
        self.alpn = alpn
        self.chain = chain
        self.verifyResult = verifyResult
        self.trust = trust
    }
}
