import FoundationEssentials
import HealthSyncDomain
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// One WebSocket connection to a mailbox server: the HTTP upgrade, then
/// JSON text frames both ways. What arrives is decoded and queued (at most
/// 64 messages: the server's acks and echoes of our own messages are the
/// bulk, and none is needed once read past).
actor MailboxConnection {
    private let server: MailboxServer
    private let channel: any Channel
    private let messages: AsyncThrowingStream<ServerMessage, any Error>
    private var reading = false

    private init(server: MailboxServer, channel: any Channel, messages: AsyncThrowingStream<ServerMessage, any Error>) {
        self.server = server
        self.channel = channel
        self.messages = messages
    }

    /// Connects and upgrades to a WebSocket on `server.path`, then waits for the server's `welcome`.
    static func open(_ server: MailboxServer, group: any EventLoopGroup, timeout: Duration) async throws -> MailboxConnection {
        let (messages, inbox) = AsyncThrowingStream.makeStream(of: ServerMessage.self, bufferingPolicy: .bufferingNewest(64))
        let unreachable = HealthSyncError(.deviceNotFound, "Cannot reach the mailbox server \(server)",
                                          hint: "Is it running, and is reach.mailbox right? On one network, a plain 6-digit code needs no mailbox.")
        let upgraded: EventLoopFuture<Bool>
        let channel: any Channel
        do {
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(timeout))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            (channel, upgraded) = try await bootstrap.connect(host: server.endpoint.host, port: server.endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(maxFrameSize: WormholeRendezvous.maxFrameBytes) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(MailboxFrames(inbox))
                            return true
                        }
                    }
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: server.endpoint.description)
                    headers.add(name: "Content-Length", value: "0")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: server.path, headers: headers)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Bool>(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { $0.eventLoop.makeSucceededFuture(false) })
                    // The server's welcome may share a segment with the 101: those bytes are the WebSocket's.
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                    return (channel, negotiated)
                }
            }
        } catch {
            if case ChannelError.connectTimeout = error {
                throw HealthSyncError(.timedOut, "The mailbox server \(server) did not answer within \(timeout)")
            }
            throw HealthSyncError(unreachable.code, unreachable.message, hint: unreachable.hint, cause: "\(error)")
        }
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { channel.close(promise: nil) }
        defer { deadline.cancel() }
        let isWebSocket: Bool
        do { isWebSocket = try await upgraded.get() } catch {
            channel.close(promise: nil)
            throw HealthSyncError(.protocolError, "The mailbox server \(server) did not finish the WebSocket handshake", cause: "\(error)")
        }
        guard isWebSocket else {
            channel.close(promise: nil)
            throw HealthSyncError(.protocolError, "\(server) is not a mailbox server: it did not accept a WebSocket",
                                  hint: "reach.mailbox is a magic-wormhole mailbox URL, like ws://203.0.113.7:4000/v1.")
        }
        let connection = MailboxConnection(server: server, channel: channel, messages: messages)
        let welcome: ServerMessage
        do {
            welcome = try await connection.next(until: ContinuousClock.now + timeout, waitingFor: "its welcome")
        } catch let error as HealthSyncError where !channel.isActive {
            // The deadline above closed it: the server was too slow, it did not hang up.
            throw HealthSyncError(.timedOut, "The mailbox server \(server) did not welcome HealthSync within \(timeout)",
                                  cause: error.message)
        }
        // A welcome read from the buffer after the deadline closed the channel is too late all the same.
        guard channel.isActive else {
            throw HealthSyncError(.timedOut, "The mailbox server \(server) did not welcome HealthSync within \(timeout)")
        }
        guard welcome.type == "welcome" else {
            await connection.close()
            throw HealthSyncError(.protocolError, "The mailbox server \(server) did not start with a welcome")
        }
        if let refusal = welcome.welcome?.error {
            await connection.close()
            throw HealthSyncError(.protocolError, "The mailbox server \(server) refuses clients: \(Printable.clean(String(refusal.prefix(200))))")
        }
        return connection
    }

    /// Says which application and which side we are (`bind` has no answer of its own).
    func bind(appID: String, side: String, timeout: Duration) async throws {
        try await send(ClientMessage(type: "bind", appid: appID, side: side))
    }

    func send(_ message: ClientMessage) async throws {
        let data = try JSONEncoder().encode(message)
        var buffer = channel.allocator.buffer(capacity: data.count)
        buffer.writeBytes(data)
        // A client masks every frame (RFC 6455 §5.3).
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
        do { try await channel.writeAndFlush(frame) } catch {
            throw HealthSyncError(.deviceNotFound, "The mailbox server \(server) closed the connection")
        }
    }

    /// Sends `message` and waits for the answer of type `expected`; an
    /// `error` from the server is thrown with what it said.
    func request(_ message: ClientMessage, expecting expected: String, timeout: Duration) async throws -> ServerMessage {
        try await send(message)
        let deadline = ContinuousClock.now + timeout
        while true {
            let answer = try await next(until: deadline, waitingFor: "'\(expected)'")
            if answer.type == expected { return answer }
        }
    }

    /// The read that is waiting for the server's next message: a deadline
    /// that passes leaves it waiting (the connection stays usable), and the
    /// next call picks it up.
    private var pending: Task<ServerMessage?, any Error>?

    /// The next message (an `error` one is thrown), before `deadline`.
    func next(until deadline: ContinuousClock.Instant, waitingFor what: String) async throws -> ServerMessage {
        // One reader at a time: a second (a close while a read waits) is refused, not raced.
        guard !reading else { throw HealthSyncError(.deviceNotFound, "The mailbox connection is busy") }
        reading = true
        defer { reading = false }
        let read = pending ?? Task { [messages] in
            var iterator = messages.makeAsyncIterator()
            return try await iterator.next()
        }
        pending = read
        // Whichever comes first: the read, or the deadline (which leaves the read waiting).
        let outcome: Result<ServerMessage?, any Error>? = await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                if !Task.isCancelled { answer.give(nil) }
            }
            Task {
                let result = await read.result
                answer.give(result)
                timer.cancel()
            }
        }
        let arrived: ServerMessage?
        switch outcome {
        case nil:
            throw HealthSyncError(.timedOut, "The mailbox server \(server) passed on nothing within the time given while HealthSync waited for \(what)")
        case .failure(let error)?:
            pending = nil
            throw HealthSyncError.wrap(error, as: .protocolError, "The mailbox server \(server) sent what is not its protocol")
        case .success(let message)?:
            pending = nil
            arrived = message
        }
        guard let message = arrived else {
            throw HealthSyncError(.deviceNotFound, "The mailbox server \(server) closed the connection while HealthSync waited for \(what)")
        }
        if message.type == "error" {
            throw HealthSyncError(.protocolError, "The mailbox server \(server) refused: \(Printable.clean(String((message.error ?? "no reason").prefix(200))))",
                                  hint: "A nameplate that is no longer there means the code expired or was used: ask for a new code.")
        }
        return message
    }

    func close() async {
        pending?.cancel()
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: channel.allocator.buffer(bytes: [0x03, 0xE8]))
        try? await channel.writeAndFlush(frame)
        try? await channel.close()
    }
}

/// Resumes a continuation with the first answer given; later ones are dropped.
final class FirstAnswer<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = Mutex(continuation) }

    func give(_ value: Value) {
        continuation.withLock { waiting in
            waiting?.resume(returning: value)
            waiting = nil
        }
    }
}

/// Text frames to the async side as decoded messages; pings answered at
/// once; a fragmented, binary or undecodable frame ends the connection.
final class MailboxFrames: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let inbox: AsyncThrowingStream<ServerMessage, any Error>.Continuation

    init(_ inbox: AsyncThrowingStream<ServerMessage, any Error>.Continuation) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            inbox.finish()
            context.close(promise: nil)
        case .text where frame.fin:
            var data = frame.unmaskedData
            let bytes = data.readBytes(length: data.readableBytes) ?? []
            guard let message = try? JSONDecoder().decode(ServerMessage.self, from: Data(bytes)) else {
                fail(context, HealthSyncError(.protocolError, "The mailbox server sent a frame that is not its JSON"))
                return
            }
            inbox.yield(message)
        default:
            fail(context, HealthSyncError(.protocolError, "The mailbox server sent a frame HealthSync does not read (\(frame.opcode))"))
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ error: HealthSyncError) {
        inbox.finish(throwing: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, HealthSyncError(.protocolError, "The mailbox connection failed", cause: "\(error)"))
    }
}
