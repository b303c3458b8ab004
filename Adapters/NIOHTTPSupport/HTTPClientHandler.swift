import HealthSyncDomain
import HealthSyncWire
import NIOCore
import NIOHTTP1

/// A request on its way out with the promise of its response.
public struct PendingRequest: Sendable {
    public let request: WireRequest
    public let response: EventLoopPromise<WireResponse>

    public init(request: WireRequest, response: EventLoopPromise<WireResponse>) {
        self.request = request
        self.response = response
    }
}

/// Client side of HTTP/1.1 for every NIO adapter: writes requests and
/// completes their promises in order as responses (bounded in size) arrive;
/// a connection that closes fails every request still waiting with `closed`.
public final class HTTPClientHandler: ChannelDuplexHandler {
    public typealias InboundIn = HTTPClientResponsePart
    public typealias OutboundIn = PendingRequest
    public typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private let closeAfterEach: Bool
    private let closed: HealthSyncError
    private let maxBodyBytes: Int
    private var waiting: [EventLoopPromise<WireResponse>] = []
    private var status = 0
    private var headers: [String: String] = [:]
    private var body: [UInt8] = []

    /// - Parameters:
    ///   - host: the `Host` header.
    ///   - closeAfterEach: sends `Connection: close` (one request per connection).
    ///   - closed: what waiting requests fail with when the connection closes.
    ///   - maxBodyBytes: the largest answer read (`PAYLOAD_TOO_LARGE` beyond).
    public init(host: String, closeAfterEach: Bool = false, closed: HealthSyncError,
                maxBodyBytes: Int = WireCodec.maxResponseBytes) {
        self.host = host
        self.closeAfterEach = closeAfterEach
        self.closed = closed
        self.maxBodyBytes = maxBodyBytes
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let pending = unwrapOutboundIn(data)
        waiting.append(pending.response)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(pending.request.body.count))
        if closeAfterEach { headers.add(name: "Connection", value: "close") }
        for (name, value) in pending.request.headers.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: pending.request.method),
                                   uri: pending.request.uri, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: pending.request.body.count)
        buffer.writeBytes(pending.request.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            headers = [:]
            // The decoder bounds the head's size; the first of each name counts.
            for (name, value) in head.headers where headers[name.lowercased()] == nil { headers[name.lowercased()] = value }
            body = []
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= maxBodyBytes else {
                failAll(HealthSyncError(.payloadTooLarge, "The answer is larger than \(maxBodyBytes) bytes"))
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard !waiting.isEmpty else { return }
            waiting.removeFirst().succeed(WireResponse(status: status, body: body, headers: headers))
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        failAll(closed)
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A stage below (TLS) may say exactly why; anything else is the HTTP codec's.
        failAll(error as? HealthSyncError
            ?? HealthSyncError(.protocolError, "The other side sent malformed HTTP", cause: "\(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: HealthSyncError) {
        let all = waiting
        waiting.removeAll()
        for promise in all { promise.fail(error) }
    }
}
