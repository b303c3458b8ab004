import FoundationEssentials

/// This installation's identity: its P-256 key, its CA and its server
/// certificate. The private keys are secrets and never leave the keystore.
public struct DeviceIdentity: Sendable, Equatable {
    public let deviceID: DeviceID
    public let deviceKey: SecretBytes
    public let caKey: SecretBytes
    public let caCertificatePEM: String
    public let serverCertificatePEM: String
    public let createdAt: Date

    public init(deviceID: DeviceID, deviceKey: SecretBytes, caKey: SecretBytes,
                caCertificatePEM: String, serverCertificatePEM: String, createdAt: Date) {
        self.deviceID = deviceID
        self.deviceKey = deviceKey
        self.caKey = caKey
        self.caCertificatePEM = caCertificatePEM
        self.serverCertificatePEM = serverCertificatePEM
        self.createdAt = createdAt
    }
}
