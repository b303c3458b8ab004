import HealthSyncDomain

/// What a running daemon answers to the CLI, implemented by the use cases
/// and served by a `ControlChannel` after the token check. A thrown
/// `HealthSyncError` reaches the client as that error.
public protocol DaemonRequests: Sendable {
    /// Always answers (no token needed).
    func health() async -> ControlHealth
    /// This device, its pairings, and where the daemon listens.
    func status() async throws -> StatusReport
    /// Starts a pairing session: `PAIRING_BUSY` while one runs.
    func initiatePairing() async throws -> ControlInvitation
    /// Where the pairing session stands (or how the latest one ended).
    func pairingState() async -> ControlPairingState
    /// The sharing user's answer; `INVALID_ARGUMENT` when nothing waits for one.
    func respond(accept: Bool) async throws
    /// Ends the pairing session; a waiting joiner is rejected.
    func cancelPairing() async
    /// Joins the device a code and host, or a QR payload, name.
    func join(_ join: ControlJoin) async throws -> PairedReport
    /// The paired devices.
    func devices() async throws -> DevicesReport
    /// Unpairs the device `selector` names.
    func unpair(_ selector: String) async throws -> UnpairReport
}
