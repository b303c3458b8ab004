import FoundationEssentials
import HealthSyncDomain

/// A pairing session as the sharing user sees it: the code, the QR payload
/// and when they expire.
public struct PairingInvitation: Sendable, Equatable {
    public let code: String
    public let payload: PairingPayload
    public let expiresAt: Date

    public var qrText: String { payload.text }
}
