import HealthSyncDomain

/// The local control API between the CLI and a running daemon (DESIGN §6),
/// on the loopback interface or in memory. Every call but `health` carries
/// the daemon's API token, and the serving side checks it in constant time
/// before `requests` sees anything.
public protocol ControlChannel: Sendable {
    /// Serves `requests` on `endpoint` (port 0: any free port) to clients
    /// presenting `token`; others get `API_UNAUTHORIZED`. Oversized requests
    /// are refused with `PAYLOAD_TOO_LARGE`; idle clients are cut off.
    func serve(on endpoint: Endpoint, token: SecretBytes, requests: any DaemonRequests) async throws
        -> any TransportListener

    /// A client of the daemon at `endpoint`, presenting `token` (nil: only
    /// `health` can succeed). Connecting happens per call.
    func link(to endpoint: Endpoint, token: SecretBytes?) -> any DaemonLink
}
