import HealthSyncDomain

/// Turns text (a pairing payload) into a QR code symbol.
public protocol QREncoder: Sendable {
    /// The smallest symbol holding `text` in 8-bit mode at error-correction
    /// level M; `INVALID_ARGUMENT` when it does not fit in a QR code.
    func encode(_ text: String) throws -> QRCode
}
