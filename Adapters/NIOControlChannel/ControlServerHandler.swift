import HealthSyncDomain
import HealthSyncPorts
import NIOCore
import NIOHTTP1

/// Collects one bounded HTTP request with its token header, hands it to the
/// router off the event loop, and writes the JSON answer back.
final class ControlServerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: ControlHandler
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    /// Requests handed to the use cases and not yet answered: a request
    /// waiting for the sharing user's decision is not an idle client.
    private var inFlight = 0

    init(handler: @escaping ControlHandler) { self.handler = handler }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            if inFlight == 0 { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > WireCodec.maxRequestBytes {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let requestHead = head else {
                context.close(promise: nil)
                return
            }
            head = nil
            if tooLarge {
                write(WireResponse(error: HealthSyncError(.payloadTooLarge)), keepAlive: false, context: context)
                return
            }
            let path = String(requestHead.uri.prefix { $0 != "?" })
            let request = ControlRequest(method: requestHead.method.rawValue, path: path,
                                         token: requestHead.headers.first(name: ControlRoute.tokenHeader), body: body)
            let keepAlive = requestHead.isKeepAlive
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            let this = NIOLoopBound(self, eventLoop: loop)
            let handler = self.handler
            inFlight += 1
            Task {
                let response = await handler(request)
                loop.execute {
                    this.value.inFlight -= 1
                    this.value.write(response, keepAlive: keepAlive, context: bound.value)
                }
            }
        }
    }

    private func write(_ response: WireResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }
}
