import HealthSyncDomain
import HealthSyncPorts

/// `--yes`: every pairing request is accepted without asking; refresh
/// requests and lines still come from the prompt it wraps.
public struct AutoAcceptPrompt: UserPrompt {
    private let base: any UserPrompt

    public init(wrapping base: any UserPrompt) { self.base = base }

    /// Accepts; on a terminal the request is still shown.
    public func accept(name: String, deviceID: DeviceID, checkNumber: String) async -> Bool {
        (base as? TerminalPrompt)?.announce(name: name, deviceID: deviceID, checkNumber: checkNumber)
        return true
    }

    public func refreshRequests() -> AsyncStream<Void> { base.refreshRequests() }

    public func line() async -> String? { await base.line() }
}
