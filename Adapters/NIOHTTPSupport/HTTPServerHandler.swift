import HealthSyncDomain
import HealthSyncWire
import NIOCore
import NIOHTTP1

/// Server side of HTTP/1.1 for every NIO adapter: collects one request
/// (its body bounded: larger ones get 413 without reaching anyone), hands it
/// to `respond` on the handler workers — never Swift's cooperative pool or
/// the event loop — and writes the answer back. Idle clients are cut off,
/// but not while one of their requests is being answered (a joiner waiting
/// for the sharing user is not idle).
///
/// `Context` is what `respond` knows about the connection, made once from
/// the TLS stage's handshake (nil without one) on the first request; a
/// connection whose context cannot be made is closed.
public final class HTTPServerHandler<Context: Sendable>: ChannelInboundHandler {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias OutboundOut = HTTPServerResponsePart
    public typealias Respond = @Sendable (Context, WireRequest) async -> WireResponse

    private let bodyLimit: Int
    private let headerNames: [String]
    private let makeContext: (TLSEstablished?) -> Context?
    private let respond: Respond
    private var established: TLSEstablished?
    private var context: Context?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var inFlight = 0

    /// - Parameters:
    ///   - headerNames: the header fields handed on in `WireRequest.headers` (lower case).
    public init(bodyLimit: Int = WireCodec.maxRequestBytes, headerNames: [String] = [],
                context: @escaping (TLSEstablished?) -> Context?, respond: @escaping Respond) {
        self.bodyLimit = bodyLimit
        self.headerNames = headerNames
        self.makeContext = context
        self.respond = respond
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let established = event as? TLSEstablished {
            self.established = established
        } else if event is IdleStateHandler.IdleStateEvent {
            if inFlight == 0 { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > bodyLimit {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            // Made on the first request, not at the handshake: a connection
            // that never asks anything costs no chain parsing.
            guard let requestHead = head, let connection = self.context ?? makeContext(established) else {
                context.close(promise: nil)
                return
            }
            self.context = connection
            // The chain is parsed into the context: its PEM text need not stay for the connection's life.
            established = nil
            head = nil
            // The whole request is here: its deadline is met.
            context.triggerUserOutboundEvent(RequestReceived(), promise: nil)
            if tooLarge {
                write(WireResponse(error: HealthSyncError(.payloadTooLarge)), keepAlive: false, context: context)
                return
            }
            var headers: [String: String] = [:]
            for name in headerNames { if let value = requestHead.headers.first(name: name) { headers[name] = value } }
            let request = WireRequest(method: requestHead.method.rawValue, uri: requestHead.uri, headers: headers, body: body)
            let keepAlive = requestHead.isKeepAlive
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            let this = NIOLoopBound(self, eventLoop: loop)
            let respond = self.respond
            inFlight += 1
            Task(executorPreference: HandlerExecutor.shared) {
                let response = await respond(connection, request)
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
