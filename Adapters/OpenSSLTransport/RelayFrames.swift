import HealthSyncDomain
import NIOCore

/// Cuts the plaintext of a relay's protocol-mode connection into
/// `RelayMessage`s. At most one frame (header and ≤ 1024-byte body) is held;
/// anything malformed closes the connection.
final class RelayFrames: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = RelayMessage

    private var pending: [UInt8] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        do {
            while let (message, used) = try Self.frame(in: pending[...]) {
                pending.removeFirst(used)
                context.fireChannelRead(wrapInboundOut(message))
            }
        } catch {
            pending.removeAll()
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    /// The first whole message in `bytes` and how many bytes it took, nil
    /// while it is incomplete.
    static func frame(in bytes: ArraySlice<UInt8>) throws(HealthSyncError) -> (RelayMessage, Int)? {
        guard bytes.count >= RelayMessage.headerLength else { return nil }
        let length = try RelayMessage.bodyLength(header: bytes.prefix(RelayMessage.headerLength))
        let total = RelayMessage.headerLength + length
        guard bytes.count >= total else { return nil }
        return (try RelayMessage(frame: bytes.prefix(total)), total)
    }
}

extension Channel {
    /// Sends one relay message (through the TLS stage, when there is one).
    func send(_ message: RelayMessage) -> EventLoopFuture<Void> {
        writeAndFlush(ByteBuffer(bytes: message.encoded))
    }
}
