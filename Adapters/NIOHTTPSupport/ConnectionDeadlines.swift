import NIOCore

/// Told by the HTTP handler when a whole request (head and body) has arrived.
struct RequestReceived: Sendable {}

/// Enforces `ConnectionLimits`' deadlines on one connection, between the TLS
/// stage and the HTTP codec: the handshake must finish within its time, and
/// each request must arrive whole within its time from its first byte —
/// a client that drips a byte at a time is cut off however steady it is.
final class ConnectionDeadlines: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limits: ConnectionLimits
    private let registry: ChannelRegistry
    private let awaitsHandshake: Bool
    private var handshake: Scheduled<Void>?
    private var request: Scheduled<Void>?

    init(limits: ConnectionLimits, registry: ChannelRegistry, awaitsHandshake: Bool) {
        self.limits = limits
        self.registry = registry
        self.awaitsHandshake = awaitsHandshake
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if awaitsHandshake {
            handshake = schedule(limits.handshakeTimeout, context: context)
        } else {
            registry.authenticated(context.channel)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handshake?.cancel()
        request?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is TLSEstablished {
            handshake?.cancel()
            handshake = nil
            registry.authenticated(context.channel)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if request == nil { request = schedule(limits.requestTimeout, context: context) }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is RequestReceived {
            request?.cancel()
            request = nil
            promise?.succeed()
            return
        }
        context.triggerUserOutboundEvent(event, promise: promise)
    }

    private func schedule(_ delay: Duration, context: ChannelHandlerContext) -> Scheduled<Void> {
        let channel = context.channel
        return context.eventLoop.scheduleTask(in: TimeAmount(delay)) { channel.close(promise: nil) }
    }
}
