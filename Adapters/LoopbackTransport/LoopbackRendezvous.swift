import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// The `Rendezvous` port in memory, at parity with `WormholeRendezvous`:
/// every mailbox URL names an in-memory mailbox server on the network,
/// which allocates the lowest free nameplate, as the real one does.
public struct LoopbackRendezvous: Rendezvous {
    private let network: LoopbackNetwork

    public init(network: LoopbackNetwork) { self.network = network }

    public func host(on server: MailboxServer, appID: String, side: String, timeout: Duration) async throws -> any RendezvousSession {
        let (nameplate, mailbox) = network.allocateNameplate(on: server.endpoint)
        return LoopbackRendezvousSession(network: network, server: server.endpoint, nameplate: nameplate, mailbox: mailbox, side: side)
    }

    public func join(_ nameplate: String, on server: MailboxServer, appID: String, side: String,
                     timeout: Duration) async throws -> any RendezvousSession {
        let mailbox = network.claimNameplate(nameplate, on: server.endpoint)
        return LoopbackRendezvousSession(network: network, server: server.endpoint, nameplate: nameplate, mailbox: mailbox, side: side)
    }
}

/// One side's place in an in-memory mailbox; what it has read is remembered,
/// so each message is handed over once.
final class LoopbackRendezvousSession: RendezvousSession {
    let nameplate: String
    private let network: LoopbackNetwork
    private let server: Endpoint
    private let mailbox: Int
    private let side: String
    private let read = Mutex(0)

    init(network: LoopbackNetwork, server: Endpoint, nameplate: String, mailbox: Int, side: String) {
        self.network = network
        self.server = server
        self.nameplate = nameplate
        self.mailbox = mailbox
        self.side = side
    }

    func post(_ body: [UInt8], phase: String) async throws {
        try network.post(RendezvousMessage(phase: phase, body: body), from: side, to: mailbox)
    }

    func next(within timeout: Duration) async throws -> RendezvousMessage {
        // Looked at every 20 ms, as messages arrive from the other side.
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !Task.isCancelled {
            guard let messages = network.messages(in: mailbox, notFrom: side) else {
                throw HealthSyncError(.deviceNotFound, "The mailbox was closed")
            }
            let next: RendezvousMessage? = read.withLock { count in
                guard messages.count > count else { return nil }
                count += 1
                return messages[count - 1]
            }
            if let next { return next }
            try? await Task.sleep(for: .milliseconds(20))
        }
        throw HealthSyncError(.timedOut, "No message from the other device within \(timeout)")
    }

    func close(mood: String) async { network.releaseNameplate(nameplate, on: server, mailbox: mailbox) }
}
