import HealthSyncDomain

/// The local control API between the CLI and a running daemon (DESIGN §6):
/// a Unix domain socket in the private state directory for the CLI, a
/// loopback TCP port for browser extensions, or in memory. Every call but
/// `health` carries the daemon's API token, and the serving side checks it
/// in constant time before `requests` sees anything.
public protocol ControlChannel: Sendable {
    /// Serves `requests` at `address` (TCP port 0: any free port) to clients
    /// presenting `token`; others get `API_UNAUTHORIZED`, and so does a
    /// request whose `Host` is not a loopback name or address (DNS
    /// rebinding). On a socket, connections from another user are closed
    /// unanswered. Oversized requests are refused with `PAYLOAD_TOO_LARGE`;
    /// idle clients are cut off.
    func serve(at address: ControlAddress, token: SecretBytes, requests: any DaemonRequests) async throws
        -> any ControlListener

    /// A client of the daemon at `address`, presenting `token` (nil: only
    /// `health` can succeed). Connecting happens per call.
    func link(to address: ControlAddress, token: SecretBytes?) -> any DaemonLink
}

/// A control API being served.
public protocol ControlListener: Sendable {
    /// Where it is reached (the port the system chose, for TCP port 0).
    var address: ControlAddress { get }
    /// Stops serving (a socket file is removed).
    func close() async
}
