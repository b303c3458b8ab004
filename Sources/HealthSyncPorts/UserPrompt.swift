import HealthSyncDomain

/// The person at this device, when a command needs their word: whether to
/// accept a joining device, a new code, or a pasted line. Answers come from
/// the terminal, from `--yes`, or from a script in tests.
public protocol UserPrompt: Sendable {
    /// Shows the pairing request (name, device ID, check number) and asks
    /// whether to accept that device. False when no answer can be had.
    func accept(name: String, deviceID: DeviceID, checkNumber: String) async -> Bool
    /// Yields each time the user asks for a fresh pairing code (`r` in
    /// `share`); finishes when no more requests can come.
    func refreshRequests() -> AsyncStream<Void>
    /// The first non-empty line the user types (bounded), or nil at the end of input.
    func line() async -> String?
}
