import Foundation
import HealthSyncDomain
import NIOCore
import NIOHTTP1

/// A request on its way out with the promise of its response.
struct PendingRequest: Sendable {
    let request: WireRequest
    let host: String
    let response: EventLoopPromise<WireResponse>
}

/// Client side: writes requests as HTTP/1.1 and completes their promises in
/// order as responses (bounded in size) arrive.
final class PeerClientHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var waiting: [EventLoopPromise<WireResponse>] = []
    private var status = 0
    private var body: [UInt8] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let pending = unwrapOutboundIn(data)
        waiting.append(pending.response)
        var uri = pending.request.path
        if !pending.request.query.isEmpty {
            var allowed = CharacterSet.urlQueryAllowed
            allowed.remove(charactersIn: "&=+?#")
            uri += "?" + pending.request.query.sorted { $0.key < $1.key }.map { key, value in
                (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "="
                    + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
            }.joined(separator: "&")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: pending.host)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(pending.request.body.count))
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: pending.request.method), uri: uri,
                                   headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: pending.request.body.count)
        buffer.writeBytes(pending.request.body)
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
                failAll(HealthSyncError(.payloadTooLarge, "The peer's response is too large"))
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard !waiting.isEmpty else { return }
            waiting.removeFirst().succeed(WireResponse(status: status, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(HealthSyncError(.deviceNotFound, "The peer closed the connection",
                                hint: "If this device was unpaired or its certificate refused, run `healthsync status`."))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(HealthSyncError(.protocolError, "The peer sent malformed HTTP", cause: "\(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: HealthSyncError) {
        let all = waiting
        waiting.removeAll()
        for promise in all { promise.fail(error) }
    }
}
