import HealthSyncDomain
import NIOCore

/// Session mode's one exchange (`JoinSessionRequest` → `Response`), first
/// on a plain TCP connection to the relay. Once the relay lets us in,
/// `install` adds the real stages (TLS and HTTP) behind this handler, the
/// bytes that came with the response go on to them, and this handler
/// leaves: from then on the relay only passes bytes along.
final class RelaySessionJoin: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let key: [UInt8]
    private let install: (any Channel) throws -> Void
    private let joined: EventLoopPromise<Void>
    private var pending: [UInt8] = []
    private var sent = false
    private var done = false

    init(key: [UInt8], joined: EventLoopPromise<Void>, install: @escaping (any Channel) throws -> Void) {
        self.key = key
        self.joined = joined
        self.install = install
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { request(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        request(context: context)
        context.fireChannelActive()
    }

    private func request(context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        context.writeAndFlush(NIOAny(ByteBuffer(bytes: RelayMessage.joinSessionRequest(key: key).encoded)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        do {
            guard let (message, used) = try RelayFrames.frame(in: pending[...]) else { return }
            guard case .response(let code, let text) = message else {
                throw HealthSyncError(.protocolError, "The relay answered the session request with something else")
            }
            guard code != RelayMessage.Code.alreadyConnected else {
                // strelaysrv's race between a session's two ends, not a refusal: the joiner asks again.
                throw RelaySessionLost(error: HealthSyncError(
                    .deviceNotFound, "The relay refused the session (\(code): \(Printable.clean(text, maxLength: 200)))"))
            }
            guard code == RelayMessage.Code.success else {
                throw HealthSyncError(.deviceNotFound, "The relay refused the session (\(code): \(Printable.clean(text, maxLength: 200)))")
            }
            try install(context.channel)
            let rest = pending.dropFirst(used)
            pending.removeAll()
            if !rest.isEmpty { context.fireChannelRead(NIOAny(ByteBuffer(bytes: rest))) }
            done = true
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            joined.succeed()
        } catch {
            finish(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(HealthSyncError(.deviceNotFound, "The relay closed the session before it began"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(error)
        context.close(promise: nil)
    }

    private func finish(_ error: any Error) {
        guard !done else { return }
        done = true
        joined.fail(error)
    }
}
