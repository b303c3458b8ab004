import FoundationEssentials

/// An X.509 certificate as a value: what HealthSync shows and decides on.
/// Produced by the crypto port's parser; `der` is the exact encoding.
public struct Certificate: Sendable, Hashable {
    public let der: [UInt8]
    public let pem: String
    public let subject: String
    public let issuer: String
    /// Serial number in upper-case hex, as `openssl x509 -serial` prints it.
    public let serial: String
    public let notBefore: Date
    public let notAfter: Date
    public let subjectAltNames: [String]
    /// SHA-256 of the DER certificate.
    public let fingerprint: SHA256Fingerprint
    /// SHA-256 of the subject public key (SPKI DER): the holder's device ID.
    public let publicKeyID: DeviceID
    public let isCA: Bool

    public init(der: [UInt8], pem: String, subject: String, issuer: String, serial: String,
                notBefore: Date, notAfter: Date, subjectAltNames: [String],
                fingerprint: SHA256Fingerprint, publicKeyID: DeviceID, isCA: Bool) {
        self.der = der
        self.pem = pem
        self.subject = subject
        self.issuer = issuer
        self.serial = serial
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.subjectAltNames = subjectAltNames
        self.fingerprint = fingerprint
        self.publicKeyID = publicKeyID
        self.isCA = isCA
    }

    /// The device ID named in subjectAltName (`URI:urn:healthsync:device:<hex>`).
    public var deviceID: DeviceID? {
        subjectAltNames.lazy.compactMap { name -> DeviceID? in
            guard name.hasPrefix("URI:") else { return nil }
            return DeviceID(uri: String(name.dropFirst(4)))
        }.first
    }

    public var isSelfIssued: Bool { subject == issuer }

    /// Validity at a given time; the caller supplies the time.
    public func validity(at now: Date) -> CertificateValidity {
        if now < notBefore { return .notYetValid }
        if now > notAfter { return .expired }
        return .valid
    }

    public func daysRemaining(at now: Date) -> Int {
        Int((notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
    }
}

public enum CertificateValidity: String, Sendable, Codable {
    case valid = "Valid"
    case expired = "Expired"
    case notYetValid = "Not yet valid"
}

/// The role a certificate plays, deciding its extended key usage.
public enum CertificateRole: String, Sendable, Codable {
    case server, client
}
