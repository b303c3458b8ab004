import FoundationEssentials

/// Names and lifetimes of the certificates of DESIGN §3, computed from a
/// time that is passed in.
public enum CertificatePolicy {
    public static let caCommonName = "healthsync-ca"
    public static let serverCommonName = "healthsync-server"
    public static let clientCommonName = "healthsync-client"
    /// Serial numbers are this many random bytes.
    public static let serialBytes = 16
    /// notBefore is set this far back to absorb small clock differences.
    public static let backdate: TimeInterval = 5 * 60
    public static let caYears = 5
    public static let leafYears = 1
    /// Certificates with less than this left are renewed.
    public static let renewalWindowDays = 30

    /// Whether a certificate ending at `notAfter` is due for renewal at `now`.
    public static func isDue(notAfter: Date, at now: Date) -> Bool {
        notAfter.timeIntervalSince(now) < Double(renewalWindowDays) * 86_400
    }

    /// notBefore and notAfter for a certificate issued at `now`.
    public static func validity(years: Int, from now: Date) -> (notBefore: Date, notAfter: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let notAfter = calendar.date(byAdding: .year, value: years, to: now) ?? now.addingTimeInterval(Double(years) * 365 * 86_400)
        return (now.addingTimeInterval(-backdate), notAfter)
    }
}

/// What a renewal replaced.
public struct CertificateRenewal: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The client certificate a paired device's CA issued to this device.
        case ourClientCertificate
        /// A client certificate this device's CA issued to a paired device.
        case peerClientCertificate
        /// This device's own server certificate.
        case serverCertificate
    }

    public let kind: Kind
    /// The paired device concerned (nil for the server certificate).
    public let deviceID: DeviceID?
    public let notAfter: Date

    public init(kind: Kind, deviceID: DeviceID?, notAfter: Date) {
        self.kind = kind
        self.deviceID = deviceID
        self.notAfter = notAfter
    }
}
