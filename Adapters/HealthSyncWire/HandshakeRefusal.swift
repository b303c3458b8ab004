import HealthSyncDomain

/// Why a listener refused a client at the handshake, as every transport
/// reports it: with no pairing session open only a certificate from the
/// listener's CA gets in.
public enum HandshakeRefusal {
    /// The client sent no certificate (a joiner) and no session is open.
    public static let noPairingSession = HealthSyncError(
        .pairingTokenExpired, "The sharing device has no pairing session open",
        hint: "Start one there (`healthsync pair` or `healthsync share`) and use the code it shows.")

    /// The client's certificate is not from the listener's CA.
    public static let untrustedCertificate = HealthSyncError(
        .unableToVerifyLeafSignature, "The device does not trust this device's certificate",
        hint: "It was issued by a CA the device does not know: pair again with it.")
}
