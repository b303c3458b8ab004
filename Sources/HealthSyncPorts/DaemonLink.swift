import HealthSyncDomain

/// The CLI's calls to a running daemon. Each waits at most `timeout`; a
/// daemon that does not listen or answer in time is `DAEMON_UNREACHABLE`;
/// an error the daemon answered with is thrown as that `HealthSyncError`.
public protocol DaemonLink: Sendable {
    /// Where the daemon is dialled.
    var address: ControlAddress { get }
    /// Whether a daemon answers, and its version (no token needed).
    func health(timeout: Duration) async throws -> ControlHealth
    /// The daemon's view of this device.
    func status(timeout: Duration) async throws -> StatusReport
    /// Starts a pairing session in the daemon.
    func initiatePairing(timeout: Duration) async throws -> ControlInvitation
    /// Where the daemon's pairing session stands.
    func pairingState(timeout: Duration) async throws -> ControlPairingState
    /// The sharing user's answer to a pending request.
    func respond(accept: Bool, timeout: Duration) async throws
    /// Ends the daemon's pairing session.
    func cancelPairing(timeout: Duration) async throws
    /// Joins another device through the daemon (waits for that device's user).
    func join(_ join: ControlJoin, timeout: Duration) async throws -> PairedReport
    /// The daemon's paired devices.
    func devices(timeout: Duration) async throws -> DevicesReport
    /// Unpairs the device `selector` names (a device ID or a name).
    func unpair(_ selector: String, timeout: Duration) async throws -> UnpairReport
}
