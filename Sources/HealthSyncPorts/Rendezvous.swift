import HealthSyncDomain

/// One message left in a rendezvous mailbox by the other side.
public struct RendezvousMessage: Sendable, Equatable {
    public let phase: String
    public let body: [UInt8]

    public init(phase: String, body: [UInt8]) {
        self.phase = phase
        self.body = body
    }
}

/// A rendezvous server (a magic-wormhole mailbox server): two devices that
/// know the same short, public nameplate meet in a mailbox and leave each
/// other messages. The server is not trusted: it sees and may change
/// everything left there, so only what an attacker may know travels
/// through it (where a device can be reached), never a secret.
///
/// Throws only `HealthSyncError`: `DEVICE_NOT_FOUND` when the server cannot
/// be reached or the connection ends, `ETIMEDOUT` when it does not answer
/// in time, `PROTOCOL_ERROR` when it refuses (an unknown or crowded
/// nameplate) or answers malformed.
public protocol Rendezvous: Sendable {
    /// Allocates a new nameplate on `server` for `appID`, as `side`, and
    /// opens its mailbox; the session holds both until `close`.
    func host(on server: MailboxServer, appID: String, side: String, timeout: Duration) async throws -> any RendezvousSession

    /// Claims `nameplate` (one the other side allocated) and opens its mailbox.
    func join(_ nameplate: String, on server: MailboxServer, appID: String, side: String,
              timeout: Duration) async throws -> any RendezvousSession
}

/// One side's place in a mailbox.
public protocol RendezvousSession: Sendable {
    /// The nameplate the session holds (the public part of a code).
    var nameplate: String { get }
    /// Leaves `body` in the mailbox under `phase`.
    func post(_ body: [UInt8], phase: String) async throws
    /// The next message the other side left (ours are skipped), waiting at
    /// most `timeout`; messages left before we opened the mailbox count.
    func next(within timeout: Duration) async throws -> RendezvousMessage
    /// Releases the nameplate and closes the mailbox with `mood`
    /// (`happy`, `lonely`, `errory`), so the server forgets both; the
    /// connection ends. Never throws; calling it again does nothing.
    func close(mood: String) async
}
