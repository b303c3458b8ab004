import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The `Rendezvous` port against a magic-wormhole mailbox server (its
/// client–server protocol: JSON text frames over a WebSocket). The server
/// is a stranger: frames are bounded, every answer is checked for the type
/// expected, and an `error` it sends is a `PROTOCOL_ERROR` saying what it
/// said.
public final class WormholeRendezvous: Rendezvous {
    private let chosenGroup: (any EventLoopGroup)?
    /// The group given, else NIO's shared one, started at its first use: a
    /// command that never opens a socket starts no event-loop threads.
    private var group: any EventLoopGroup { chosenGroup ?? MultiThreadedEventLoopGroup.singleton }

    /// The largest frame read from the server (its messages are a few hundred bytes).
    static let maxFrameBytes = 64 * 1024

    public init(group: (any EventLoopGroup)? = nil) { chosenGroup = group }

    public func host(on server: MailboxServer, appID: String, side: String, timeout: Duration) async throws -> any RendezvousSession {
        let connection = try await MailboxConnection.open(server, group: group, timeout: timeout)
        do {
            try await connection.bind(appID: appID, side: side, timeout: timeout)
            let allocated = try await connection.request(ClientMessage(type: "allocate"), expecting: "allocated", timeout: timeout)
            guard let nameplate = allocated.nameplate, Self.isNameplate(nameplate) else {
                throw HealthSyncError(.protocolError, "The mailbox server \(server) allocated no usable nameplate")
            }
            return try await WormholeMailboxSession.open(nameplate, on: connection, side: side, timeout: timeout)
        } catch {
            await connection.close()
            throw error
        }
    }

    public func join(_ nameplate: String, on server: MailboxServer, appID: String, side: String,
                     timeout: Duration) async throws -> any RendezvousSession {
        let connection = try await MailboxConnection.open(server, group: group, timeout: timeout)
        do {
            try await connection.bind(appID: appID, side: side, timeout: timeout)
            return try await WormholeMailboxSession.open(nameplate, on: connection, side: side, timeout: timeout)
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Nameplates are short numbers (the server allocates the lowest free one).
    static func isNameplate(_ text: String) -> Bool {
        (1...8).contains(text.count) && text.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// A claimed nameplate and its open mailbox.
actor WormholeMailboxSession: RendezvousSession {
    nonisolated let nameplate: String
    private let mailbox: String
    private let side: String
    private let connection: MailboxConnection
    private var closed = false

    private init(nameplate: String, mailbox: String, side: String, connection: MailboxConnection) {
        self.nameplate = nameplate
        self.mailbox = mailbox
        self.side = side
        self.connection = connection
    }

    /// Claims `nameplate` and opens the mailbox the server names for it.
    static func open(_ nameplate: String, on connection: MailboxConnection, side: String,
                     timeout: Duration) async throws -> WormholeMailboxSession {
        let claimed = try await connection.request(ClientMessage(type: "claim", nameplate: nameplate), expecting: "claimed", timeout: timeout)
        guard let mailbox = claimed.mailbox, !mailbox.isEmpty, mailbox.utf8.count <= 64 else {
            throw HealthSyncError(.protocolError, "The mailbox server named no mailbox for nameplate \(nameplate)")
        }
        // `open` has no answer of its own: the mailbox's messages follow it.
        try await connection.send(ClientMessage(type: "open", mailbox: mailbox))
        return WormholeMailboxSession(nameplate: nameplate, mailbox: mailbox, side: side, connection: connection)
    }

    func post(_ body: [UInt8], phase: String) async throws {
        try await connection.send(ClientMessage(type: "add", phase: phase, body: Hex.encode(body)))
    }

    func next(within timeout: Duration) async throws -> RendezvousMessage {
        let deadline = ContinuousClock.now + timeout
        while true {
            let message = try await connection.next(until: deadline, waitingFor: "a message from the other device")
            guard message.type == "message", let from = message.side, from != side else { continue }
            guard let phase = message.phase, phase.utf8.count <= 64,
                  let hex = message.body, let body = Hex.decode(hex) else {
                throw HealthSyncError(.protocolError, "The mailbox server passed on a malformed message")
            }
            return RendezvousMessage(phase: phase, body: body)
        }
    }

    func close(mood: String) async {
        guard !closed else { return }
        closed = true
        // Both are answered; a server that does not answer within 2 s is left anyway.
        _ = try? await connection.request(ClientMessage(type: "release", nameplate: nameplate), expecting: "released", timeout: .seconds(2))
        _ = try? await connection.request(ClientMessage(type: "close", mailbox: mailbox, mood: mood), expecting: "closed", timeout: .seconds(2))
        await connection.close()
    }
}
