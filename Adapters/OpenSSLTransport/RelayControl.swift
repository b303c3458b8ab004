import HealthSyncDomain
import HealthSyncPorts
import NIOCore
import NIOHTTPSupport
import NIOPosix

/// A protocol-mode connection to a Syncthing relay: TLS with `identity`
/// (the relay takes our ID from it) and ALPN `bep-relay`, the relay's
/// certificate checked against the ID its URL pins, then relay messages
/// read as an async sequence and written to the channel.
struct RelayControl: Sendable {
    let relay: ReachServer
    let channel: any Channel
    let messages: AsyncThrowingStream<RelayMessage, any Error>

    /// Connects and checks the relay's certificate, within `timeout`.
    static func open(_ relay: ReachServer, identity: TransportCredentials, context: TLSContext, crypto: any Crypto,
                     group: any EventLoopGroup, timeout: Duration) async throws -> RelayControl {
        let loop = group.next()
        let handshake = loop.makePromise(of: TLSEstablished.self)
        let (messages, inbox) = AsyncThrowingStream.makeStream(of: RelayMessage.self, bufferingPolicy: .bufferingNewest(64))
        let session = try context.makeSession(credentials: identity)
        let channel: any Channel
        do {
            channel = try await RelayDial.bootstrap(on: loop, timeout: timeout) { sync in
                try sync.addHandler(TLSHandler(session: session, isServer: false, handshake: handshake))
                try sync.addHandler(RelayFrames())
                try sync.addHandler(RelayInbox(inbox))
            }
                .connect(host: relay.endpoint.host, port: relay.endpoint.port).get()
        } catch {
            handshake.fail(error)
            throw HealthSyncError(.deviceNotFound, "Cannot reach the relay \(relay.address)",
                                  hint: "Is the relay running, and is reach.relays right? Direct addresses are tried first.",
                                  cause: "\(error)")
        }
        let established = try await HandshakeWait.established(
            handshake, on: channel, timeout: timeout,
            timedOut: HealthSyncError(.timedOut, "The relay \(relay.address) did not finish TLS within \(timeout)"),
            failed: "The TLS handshake with the relay \(relay.address) failed")
        // The relay's ID pins its certificate, as Syncthing pins it.
        let (pinned, presented) = HandshakeWait.pins(established, to: relay.id, crypto: crypto)
        guard pinned else {
            try? await channel.close()
            throw HealthSyncError(.fingerprintMismatch,
                                  "The relay at \(relay.endpoint) is not the one its id= pins (it presented \(presented))",
                                  hint: "Check the id= in reach.relays against the URI strelaysrv prints; someone may be in between.")
        }
        return RelayControl(relay: relay, channel: channel, messages: messages)
    }

    func send(_ message: RelayMessage) async throws {
        do { try await channel.send(message).get() } catch {
            throw HealthSyncError(.deviceNotFound, "The relay \(relay.address) closed the connection")
        }
    }

    /// The next message, within `timeout`.
    func next(within timeout: Duration) async throws -> RelayMessage {
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { channel.close(promise: nil) }
        defer { timer.cancel() }
        var iterator = messages.makeAsyncIterator()
        guard let message = try await iterator.next() else {
            throw HealthSyncError(.deviceNotFound, "The relay \(relay.address) closed the connection without an answer")
        }
        return message
    }

    func close() async { try? await channel.close() }
}

/// Hands relay messages to the async side; the stream ends with the connection.
final class RelayInbox: ChannelInboundHandler {
    typealias InboundIn = RelayMessage

    private let inbox: AsyncThrowingStream<RelayMessage, any Error>.Continuation

    init(_ inbox: AsyncThrowingStream<RelayMessage, any Error>.Continuation) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { inbox.yield(unwrapInboundIn(data)) }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inbox.finish(throwing: error)
        context.close(promise: nil)
    }
}
