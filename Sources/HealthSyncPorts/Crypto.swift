import FoundationEssentials
import HealthSyncDomain

/// What a new certificate says: its subject, serial, validity and the
/// subjectAltNames beyond the device-ID URI (which is always added).
public struct CertificateSpec: Sendable, Equatable {
    public let commonName: String
    public let serial: [UInt8]
    public let notBefore: Date
    public let notAfter: Date
    public let extraSubjectAltNames: [String]

    public init(commonName: String, serial: [UInt8], notBefore: Date, notAfter: Date,
                extraSubjectAltNames: [String] = []) {
        self.commonName = commonName
        self.serial = serial
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.extraSubjectAltNames = extraSubjectAltNames
    }
}

/// A parsed, self-signature-checked certificate signing request.
public struct SigningRequest: Sendable, Equatable {
    public let commonName: String
    /// SHA-256 of the requested public key: the requester's device ID.
    public let deviceID: DeviceID

    public init(commonName: String, deviceID: DeviceID) {
        self.commonName = commonName
        self.deviceID = deviceID
    }
}

/// Keys, certificates and digests (P-256, ECDSA-SHA256, SHA-256).
///
/// Private keys cross this port only as PEM inside `SecretBytes`, between
/// the keystore and the crypto adapter. Malformed input throws
/// `HealthSyncError` (`KEYSTORE_CORRUPT` for keys, `CRYPTO_FAILURE` or
/// `INVALID_ARGUMENT` for certificates and requests); nothing traps.
public protocol Crypto: Sendable {
    /// A new P-256 private key as PKCS#8 PEM.
    func generatePrivateKey() throws -> SecretBytes
    /// The device ID of a private key's public half.
    func deviceID(ofPrivateKey key: SecretBytes) throws -> DeviceID
    /// A self-signed CA certificate (basicConstraints CA:TRUE, keyCertSign).
    func makeCertificateAuthority(key: SecretBytes, spec: CertificateSpec) throws -> Certificate
    /// A CSR (PEM) for the key's public half, signed by the key.
    func makeSigningRequest(key: SecretBytes, commonName: String) throws -> String
    /// Parses a CSR and checks its self-signature; throws `PROTOCOL_ERROR` when it is bad.
    func inspectSigningRequest(_ pem: String) throws -> SigningRequest
    /// A leaf certificate for the CSR's key, signed by the CA, carrying the
    /// requester's device-ID URI, the role's extended key usage and the spec.
    func issueCertificate(request pem: String, spec: CertificateSpec, role: CertificateRole,
                          caKey: SecretBytes, caCertificate: Certificate) throws -> Certificate
    /// Parses one PEM certificate.
    func parseCertificate(pem: String) throws -> Certificate
    /// Verifies `leaf` (with intermediates) against exactly one trust anchor
    /// at the given time, for a role and optionally a dialled host.
    func verify(_ leaf: Certificate, intermediates: [Certificate], anchor: Certificate,
                role: CertificateRole?, host: String?, at time: Date) -> ChainCheck
    /// Whether the certificate certifies this private key's public half.
    func certificate(_ certificate: Certificate, matches key: SecretBytes) -> Bool
    /// SHA-256 of the bytes.
    func sha256(_ bytes: [UInt8]) -> [UInt8]
    /// HMAC-SHA256 of `data` under `key`.
    func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8]
    /// HMAC-SHA256 under `key` for many messages: the same MACs as
    /// `hmacSHA256(key:data:)`, keyed once. The key lives as long as the function.
    func hmacSHA256(key: [UInt8]) -> @Sendable ([UInt8]) -> [UInt8]
}

extension Crypto {
    /// Keyed for each message: for adapters where keying costs nothing.
    public func hmacSHA256(key: [UInt8]) -> @Sendable ([UInt8]) -> [UInt8] {
        { data in self.hmacSHA256(key: key, data: data) }
    }
}
