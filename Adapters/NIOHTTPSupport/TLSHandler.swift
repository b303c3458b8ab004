import COpenSSL
import Foundation
import HealthSyncDomain
import NIOCore
import Synchronization

/// What the handshake established, fired down the pipeline as a user event.
public struct TLSEstablished: Sendable {
    public let peerChainPEM: [String]
    public let channelBinding: [UInt8]
    public let alpn: String?
    public let version: String
    public let cipher: String
}

/// The optional TLS stage of a pipeline: drives OpenSSL 3 through memory
/// BIOs, ciphertext in from whatever carries the channel (a socket, or any
/// other byte stream), plaintext up the pipeline, and back.
public final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    static let exporterLabel = Array("EXPORTER-healthsync-channel-binding".utf8)

    private let session: SSLSession
    private let isServer: Bool
    private var established = false
    private var failed = false
    private var pending: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    let handshake: EventLoopPromise<TLSEstablished>
    /// Why the server refused our certificate, once it has (client side).
    public let refusal = TLSRefusal()

    public init(session: SSLSession, isServer: Bool, handshake: EventLoopPromise<TLSEstablished>) {
        self.session = session
        self.isServer = isServer
        self.handshake = handshake
        if isServer { SSL_set_accept_state(session.ssl) } else { SSL_set_connect_state(session.ssl) }
    }

    private var started = false

    public func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        startHandshake(context: context)
    }

    /// Added to a channel that is already connected (a relayed session,
    /// once the relay let it in), a client starts at once.
    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startHandshake(context: context) }
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard !isServer, !started else { return }
        started = true
        advanceHandshake(context: context)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard !failed else { return }
        buffer.withUnsafeReadableBytes { raw in
            _ = BIO_write(session.incoming, raw.baseAddress, Int32(raw.count))
        }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        if !established { advanceHandshake(context: context) }
        if established && !failed { readPlaintext(context: context) }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        guard established else {
            pending.append((buffer, promise))
            return
        }
        encrypt(buffer, context: context, promise: promise)
    }

    /// A channel closed before it ever became active (refused or evicted at
    /// accept) fires no `channelInactive`: the handshake is failed here too.
    public func handlerRemoved(context: ChannelHandlerContext) {
        if !established && !failed {
            failed = true
            handshake.fail(HealthSyncError(.protocolError, "The connection closed during the TLS handshake"))
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if !established {
            failed = true
            handshake.fail(HealthSyncError(.protocolError, "The connection closed during the TLS handshake"))
        }
        for (_, promise) in pending { promise?.fail(ChannelError.ioOnClosedChannel) }
        pending.removeAll()
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !established {
            failed = true
            handshake.fail(error)
        }
        context.close(promise: nil)
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        ERR_clear_error()
        let result = SSL_do_handshake(session.ssl)
        flushCiphertext(context: context, promise: nil)
        if result == 1 {
            established = true
            let info = TLSEstablished(peerChainPEM: peerChain(), channelBinding: channelBinding(), alpn: alpn(),
                                      version: String(cString: SSL_get_version(session.ssl)),
                                      cipher: SSL_get_current_cipher(session.ssl).map { String(cString: SSL_CIPHER_get_name($0)) } ?? "none")
            handshake.succeed(info)
            context.fireUserInboundEventTriggered(info)
            let queued = pending
            pending.removeAll()
            for (buffer, promise) in queued { encrypt(buffer, context: context, promise: promise) }
            session.releaseIdleBuffers()
            return
        }
        let code = SSL_get_error(session.ssl, result)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return }
        let (isVersion, detail) = TLSErrors.drainIsProtocolVersion()
        failed = true
        let error = isVersion
            ? HealthSyncError(.unsupportedProtocol, "The peer does not speak TLS 1.3", cause: detail)
            : HealthSyncError(.protocolError, "The TLS handshake failed", cause: detail)
        handshake.fail(error)
        context.close(promise: nil)
    }

    private func readPlaintext(context: ChannelHandlerContext) {
        while true {
            var buffer = context.channel.allocator.buffer(capacity: 16 * 1024)
            ERR_clear_error()
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 * 1024) { raw in
                max(0, Int(SSL_read(session.ssl, raw.baseAddress, Int32(raw.count))))
            }
            if count > 0 {
                context.fireChannelRead(wrapInboundOut(buffer))
                continue
            }
            let code = SSL_get_error(session.ssl, 0)
            flushCiphertext(context: context, promise: nil)
            if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE {
                session.releaseIdleBuffers()
                break
            }
            // A close_notify, or an alert (in TLS 1.3 a refused client
            // certificate shows up here, on the client's first read).
            // Drained on both sides; only a client is told why it was refused.
            let refusal = TLSErrors.drainCertificateRefusal()
            failed = true
            if !isServer, let refusal {
                // Kept for a request written after the close, and told to one already waiting.
                self.refusal.set(refusal)
                context.fireErrorCaught(refusal)
            }
            context.close(promise: nil)
            break
        }
        context.fireChannelReadComplete()
    }

    private func encrypt(_ buffer: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard !failed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        var remaining = buffer
        while remaining.readableBytes > 0 {
            ERR_clear_error()
            let written = remaining.withUnsafeReadableBytes { raw in
                SSL_write(session.ssl, raw.baseAddress, Int32(raw.count))
            }
            guard written > 0 else {
                _ = TLSErrors.drain()
                promise?.fail(ChannelError.ioOnClosedChannel)
                context.close(promise: nil)
                return
            }
            remaining.moveReaderIndex(forwardBy: Int(written))
        }
        flushCiphertext(context: context, promise: promise)
        session.releaseIdleBuffers()
    }

    /// Sends whatever OpenSSL wrote into the network BIO.
    private func flushCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        var wrote = false
        while hs_bio_pending(session.network) > 0 {
            let size = Int(hs_bio_pending(session.network))
            var out = context.channel.allocator.buffer(capacity: size)
            let count = out.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
                max(0, Int(BIO_read(session.network, raw.baseAddress, Int32(raw.count))))
            }
            guard count > 0 else { break }
            wrote = true
            context.write(wrapOutboundOut(out), promise: nil)
        }
        if wrote || promise != nil {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise)
        }
    }

    private func peerChain() -> [String] {
        guard let text = hs_ssl_peer_chain_pem(session.ssl, isServer ? 1 : 0) else { return [] }
        defer { free(text) }
        return Self.certificates(inPEM: UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self),
                                                            count: strlen(text)))
    }

    /// Each certificate of a PEM chain, as its own PEM text. Split on the
    /// bytes: Foundation's `components(separatedBy:)` and trimming had
    /// cost every handshake about 5 % of the server's time.
    public static func certificates(inPEM bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        let marker = Array("-----END CERTIFICATE-----".utf8)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        var chain: [String] = []
        var start = 0, index = 0
        while index + marker.count <= bytes.count {
            guard bytes[index] == marker[0], bytes[index..<(index + marker.count)].elementsEqual(marker) else {
                index += 1
                continue
            }
            var first = start, end = index
            while first < end, isSpace(bytes[first]) { first += 1 }
            while end > first, isSpace(bytes[end - 1]) { end -= 1 }
            // Made at its exact size: a server keeps each for the connection's life.
            let body = UnsafeBufferPointer(rebasing: bytes[first..<end])
            chain.append(String(unsafeUninitializedCapacity: body.count + marker.count + 2) { out in
                var at = out.initialize(fromContentsOf: body)
                out[at] = 0x0A
                at += 1
                at = out[at...].initialize(fromContentsOf: marker)
                out[at] = 0x0A
                return at + 1
            })
            index += marker.count
            start = index
        }
        return chain
    }

    private func channelBinding() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = Self.exporterLabel.withUnsafeBufferPointer { label in
            label.withMemoryRebound(to: CChar.self) { label in
                SSL_export_keying_material(session.ssl, &out, 32, label.baseAddress, label.count, nil, 0, 0)
            }
        }
        return ok == 1 ? out : []
    }

    private func alpn() -> String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(session.ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }
}

/// Why a server refused our certificate at the handshake, kept where the
/// connection's user can read it after the close.
public final class TLSRefusal: Sendable {
    private let value = Mutex<HealthSyncError?>(nil)

    public var error: HealthSyncError? { value.withLock { $0 } }

    func set(_ error: HealthSyncError) { value.withLock { $0 = error } }
}
