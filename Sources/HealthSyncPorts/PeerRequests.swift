import HealthSyncDomain

/// What a device answers to other devices (the inbound half of the peer
/// protocol), implemented by the use cases and served by a `Transport`.
/// Each call says on which connection it arrived, so pairing steps can be
/// bound to one connection and everything else judged by the trust policy.
/// A thrown `HealthSyncError` reaches the caller as that error.
public protocol PeerRequests: Sendable {
    /// Whether a client with no certificate of ours may connect now: true
    /// while a pairing session is open (a joiner has none yet). When false,
    /// a transport refuses at the handshake every client whose certificate
    /// does not chain to the listener's client CA. Read on every accepted
    /// connection, so it must answer at once.
    var admitsClientsWithoutCertificate: Bool { get }
    /// A client at `address` was refused at the TLS handshake (no
    /// certificate from our CA while no pairing session is open, a failed
    /// handshake), told for the log; returns at once and throws nothing.
    func handshakeRefused(from address: String, reason: HealthSyncError)

    /// The QR token path; anyone may ask.
    func pairWithToken(_ request: PairingMessage.TokenRequest, from peer: ConnectionInfo) async throws -> PairingMessage.Exchange
    /// The code path's parameters; anyone may ask.
    func codeParameters(from peer: ConnectionInfo) async throws -> PairingMessage.CodeParameters
    /// The code path's share; anyone may ask, once per code.
    func codeShare(_ share: PairingMessage.CodeShare, from peer: ConnectionInfo) async throws -> PairingMessage.CodeShareReply
    /// The code path's confirmation; returns once the sharing user decided.
    func codeConfirm(_ confirm: PairingMessage.CodeConfirm, from peer: ConnectionInfo) async throws -> PairingMessage.Exchange
    /// Both paths' last step, on the connection that authenticated.
    func finishPairing(_ finish: PairingMessage.Finish, from peer: ConnectionInfo) async throws

    /// Who this device is; paired devices only.
    func status(from peer: ConnectionInfo) async throws -> PeerStatus
    /// A page of shared samples; paired devices only. Types this device does
    /// not share are left out; asking only for those is `INVALID_ARGUMENT`.
    /// A peer reading an older schema (`query.schema`) gets only the types
    /// and fields that schema has.
    func samples(_ query: SampleQuery, from peer: ConnectionInfo) async throws -> SamplePage
    /// Shared samples changed after `after`; paired devices only. With
    /// `wait` above zero, answers when something changed or `wait` (at most
    /// `SampleChanges.maxWait`) has passed, whichever is first. Only the
    /// types and fields of `schema` (the peer's) are sent.
    func changes(after: Int64, limit: Int, wait: Duration, schema: Int, from peer: ConnectionInfo) async throws -> SampleChanges
    /// A renewed client certificate for the peer's own key, when due and
    /// when the two clocks agree (`CLOCK_SKEW` otherwise); with our clock.
    func renewCertificate(_ request: RenewalRequest, from peer: ConnectionInfo) async throws -> RenewalReply
    /// The peer unpaired us: forget it.
    func unpair(from peer: ConnectionInfo) async throws
}
