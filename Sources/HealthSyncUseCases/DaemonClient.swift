import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The CLI's side of the local control API: `pair`, `status` and `unpair`
/// ask the running daemon, with the token from the keystore.
public struct DaemonClient: Sendable {
    private let deps: Dependencies
    /// The daemon's Unix socket in the state directory: nobody else can
    /// listen there, so the token never reaches another process.
    public let address: ControlAddress

    /// A client of the daemon at `address`.
    public init(_ deps: Dependencies, address: ControlAddress) {
        self.deps = deps
        self.address = address
    }

    public func health() async throws -> ControlHealth {
        try await deps.control.link(to: address, token: nil).health(timeout: deps.settings.timeout)
    }

    public func status() async throws -> StatusReport { try await link().status(timeout: deps.settings.timeout) }

    public func initiate() async throws -> ControlInvitation {
        try await link().initiatePairing(timeout: deps.settings.timeout)
    }

    public func pending() async throws -> ControlPairingState {
        try await link().pairingState(timeout: deps.settings.timeout)
    }

    public func respond(accept: Bool) async throws { try await link().respond(accept: accept, timeout: deps.settings.timeout) }

    public func cancel() async throws { try await link().cancelPairing(timeout: deps.settings.timeout) }

    /// Joins through the daemon; waits for the other device's user.
    public func join(_ join: ControlJoin) async throws -> PairedReport {
        try await link().join(join, timeout: deps.settings.joinTimeout)
    }

    public func devices() async throws -> DevicesReport { try await link().devices(timeout: deps.settings.timeout) }

    public func unpair(_ selector: String) async throws -> UnpairReport {
        try await link().unpair(selector, timeout: deps.settings.timeout)
    }

    /// Waits until the daemon's pairing session is in none of `states`,
    /// polling every `interval`; `seen` gets every state polled.
    public func awaitPairing(past states: Set<ControlPairingState.State>, interval: Duration = .milliseconds(250),
                             seen: (ControlPairingState) -> Void = { _ in }) async throws -> ControlPairingState {
        while true {
            let state = try await pending()
            seen(state)
            if !states.contains(state.state) { return state }
            try await Task.sleep(for: interval)
        }
    }

    private func link() throws -> any DaemonLink {
        guard let token = try deps.keyStore.apiToken() else {
            throw HealthSyncError(.daemonUnreachable, "Failed to connect to daemon: none has run with this state directory")
        }
        return deps.control.link(to: address, token: token)
    }
}
