import HealthSyncDomain

/// One connection from this device to another, as the calls this device
/// makes (the outbound half of the peer protocol). Every call waits at most
/// `timeout` for its answer (`ETIMEDOUT` after that), throws the error the
/// peer answered with as that `HealthSyncError`, and `DEVICE_NOT_FOUND` once
/// the peer has closed the connection. Calls on one link may overlap; each
/// gets its own answer.
public protocol PeerLink: Sendable {
    /// What the server presented, as the transport verified it.
    var info: ConnectionInfo { get }

    /// The QR token path: proof of the token and the joiner's certificates.
    func pairWithToken(_ request: PairingMessage.TokenRequest, timeout: Duration) async throws -> PairingMessage.Exchange
    /// The code path's first step: the session's PBKDF2 salt and iterations.
    func codeParameters(timeout: Duration) async throws -> PairingMessage.CodeParameters
    /// The code path's SPAKE2+ share.
    func codeShare(_ share: PairingMessage.CodeShare, timeout: Duration) async throws -> PairingMessage.CodeShareReply
    /// The code path's confirmation; answered once the sharing user decides,
    /// so `timeout` must cover a person's answer.
    func codeConfirm(_ confirm: PairingMessage.CodeConfirm, timeout: Duration) async throws -> PairingMessage.Exchange
    /// Both paths' last step: the certificate our CA issued to the peer.
    func finishPairing(_ finish: PairingMessage.Finish, timeout: Duration) async throws

    /// Who the paired peer is (mutual TLS required).
    func status(timeout: Duration) async throws -> PeerStatus
    /// One page of samples matching `query`, at most `query.limit`.
    func samples(_ query: SampleQuery, timeout: Duration) async throws -> SamplePage
    /// Samples stored or changed after sequence number `after`, at most
    /// `limit`. With a `wait` above zero the peer holds the answer until
    /// something changes or `wait` passes (a long poll, at most
    /// `SampleChanges.maxWait`); `timeout` counts from the end of `wait`.
    /// A peer from before long polls answers at once.
    func changes(after: Int64, limit: Int, wait: Duration, timeout: Duration) async throws -> SampleChanges
    /// A new client certificate (PEM) for the request's CSR, from the
    /// peer's CA, with the peer's clock; our clock travels with the request.
    func renewCertificate(_ request: RenewalRequest, timeout: Duration) async throws -> RenewalReply
    /// Tells the peer we unpaired it.
    func unpair(timeout: Duration) async throws

    /// Closes the connection; calls still waiting fail with `DEVICE_NOT_FOUND`.
    func close() async
}
