import HealthSyncDomain

/// The stored identity with its certificates parsed and cross-checked.
public struct LoadedIdentity: Sendable {
    public let identity: DeviceIdentity
    public let caCertificate: Certificate
    public let serverCertificate: Certificate

    public var deviceID: DeviceID { identity.deviceID }
}
