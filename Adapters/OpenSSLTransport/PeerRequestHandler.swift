import Foundation
import HealthSyncDomain
import HealthSyncPorts
import NIOCore
import NIOHTTP1

/// Server side: collects one bounded HTTP request, hands it with the
/// connection's TLS identity to the use cases off the event loop, and
/// writes the response back on it.
final class PeerRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let describe: @Sendable (TLSEstablished) -> ConnectionInfo
    private let handler: WireHandler
    private var established: TLSEstablished?
    /// Judged on the first request, not at the handshake: a connection that
    /// never asks anything costs no chain parsing or verification.
    private var info: ConnectionInfo?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    /// Requests handed to the use cases and not yet answered: a request
    /// waiting for the sharing user's decision is not an idle client.
    private var inFlight = 0

    init(describe: @escaping @Sendable (TLSEstablished) -> ConnectionInfo, handler: @escaping WireHandler) {
        self.describe = describe
        self.handler = handler
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let established = event as? TLSEstablished {
            self.established = established
        } else if event is IdleStateHandler.IdleStateEvent {
            // Slow or idle clients are cut off.
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
            guard let requestHead = head, let established else {
                context.close(promise: nil)
                return
            }
            let info = self.info ?? describe(established)
            self.info = info
            head = nil
            if tooLarge {
                write(WireResponse(error: HealthSyncError(.payloadTooLarge)), keepAlive: false, context: context)
                return
            }
            let (path, query) = Self.split(requestHead.uri)
            let request = WireRequest(method: requestHead.method.rawValue, path: path, query: query, body: body)
            let keepAlive = requestHead.isKeepAlive
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            let handler = self.handler
            let this = NIOLoopBound(self, eventLoop: loop)
            inFlight += 1
            Task(executorPreference: HandlerExecutor.shared) {
                let response = await handler(info, request)
                loop.execute {
                    this.value.inFlight -= 1
                    this.value.write(response, keepAlive: keepAlive, context: bound.value)
                }
            }
        }
    }

    private func write(_ response: WireResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }

    /// `/path?a=1&b=2` into the path and percent-decoded items (bounded).
    static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var items: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&").prefix(32) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? ""
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? "") : ""
            items[key] = value
        }
        return (String(uri[..<mark]), items)
    }
}
