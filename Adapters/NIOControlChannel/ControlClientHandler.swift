import HealthSyncDomain
import HealthSyncPorts
import NIOCore
import NIOHTTP1

/// Writes one control request and completes its promise with the answer
/// (bounded in size); a connection closed early fails it.
final class ControlClientHandler: ChannelDuplexHandler {
    struct Outgoing: Sendable {
        let request: ControlRequest
        let host: String
    }

    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Outgoing
    typealias OutboundOut = HTTPClientRequestPart

    private let response: EventLoopPromise<WireResponse>
    private var status = 0
    private var body: [UInt8] = []

    init(response: EventLoopPromise<WireResponse>) { self.response = response }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let outgoing = unwrapOutboundIn(data)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: outgoing.host)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(outgoing.request.body.count))
        headers.add(name: "Connection", value: "close")
        if let token = outgoing.request.token { headers.add(name: ControlRoute.tokenHeader, value: token) }
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: outgoing.request.method),
                                   uri: outgoing.request.path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: outgoing.request.body.count)
        buffer.writeBytes(outgoing.request.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body = []
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= WireCodec.maxResponseBytes else {
                response.fail(HealthSyncError(.payloadTooLarge, "The daemon's answer is too large"))
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            response.succeed(WireResponse(status: status, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        response.fail(HealthSyncError(.daemonUnreachable, "The daemon closed the connection without answering"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        response.fail(HealthSyncError(.protocolError, "The daemon sent malformed HTTP", cause: "\(error)"))
        context.close(promise: nil)
    }
}
