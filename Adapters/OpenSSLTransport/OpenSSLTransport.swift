import Foundation
import HealthSyncDomain
import HealthSyncPorts
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The `Transport` port over the network: TLS 1.3 only through system
/// OpenSSL (a channel handler over memory BIOs), HTTP/1.1 from NIOHTTP1,
/// ALPN `healthsync/1` (or `http/1.1` for curl), the TLS exporter as the
/// channel binding. Chains are verified through the crypto port after the
/// handshake, exactly as the loopback transport verifies them.
public final class OpenSSLTransport: Transport {
    /// How long a pairing confirmation may wait for the sharing user's answer.
    static let decisionTimeout: TimeAmount = .seconds(600)

    private let crypto: any Crypto
    private let clock: any WallClock
    private let group: any EventLoopGroup
    private let idleTimeout: TimeAmount
    private let clientContext: TLSContext

    /// `idleTimeoutMilliseconds`: how long a client may stay silent (while
    /// no request of its own is being answered) before it is cut off.
    public init(crypto: any Crypto, clock: any WallClock, idleTimeoutMilliseconds: Int = 30_000) throws {
        self.crypto = crypto
        self.clock = clock
        idleTimeout = .milliseconds(Int64(idleTimeoutMilliseconds))
        group = MultiThreadedEventLoopGroup.singleton
        clientContext = try TLSContext(server: false)
    }

    public func listen(on endpoint: Endpoint, credentials: TransportCredentials, clientAnchor: Certificate,
                       handler: @escaping WireHandler) async throws -> any TransportListener {
        let context = try TLSContext(server: true, credentials: credentials)
        let crypto = self.crypto, clock = self.clock, idleTimeout = self.idleTimeout
        let children = ChildChannels()
        let describe: @Sendable (TLSEstablished, String) -> ConnectionInfo = { established, remote in
            let chain = established.peerChainPEM.compactMap { try? crypto.parseCertificate(pem: $0) }
            return ConnectionInfo(
                peer: crypto.presentation(of: chain, anchor: .certificate(clientAnchor), role: .client, host: nil, at: clock.now()),
                presentedChain: chain, channelBinding: established.channelBinding, remoteAddress: remote,
                session: SessionParameters(version: established.version, cipher: established.cipher, alpn: established.alpn))
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    children.add(channel)
                    let session = try SSLSession(try context.makeSSL(credentials: nil))
                    let handshake = channel.eventLoop.makePromise(of: TLSEstablished.self)
                    let remote = channel.remoteAddress?.ipAddress ?? "unknown"
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try sync.addHandler(TLSHandler(session: session, isServer: true, handshake: handshake))
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(PeerRequestHandler(describe: { describe($0, remote) }, handler: handler))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: endpoint.host, port: endpoint.port).get()
            let port = channel.localAddress?.port ?? endpoint.port
            return OpenSSLListener(channel: channel, children: children, endpoint: Endpoint(host: endpoint.host, port: port))
        } catch {
            throw HealthSyncError(.invalidArgument, "Cannot listen on \(endpoint): \(error)",
                                  hint: "Choose another port (--port), or 0 to let the system choose.")
        }
    }

    public func connect(to endpoint: Endpoint, credentials: TransportCredentials?, anchor: TrustAnchor,
                        timeoutMilliseconds: Int) async throws -> any TransportConnection {
        let loop = group.next()
        let session = try SSLSession(try clientContext.makeSSL(credentials: credentials))
        let handshake = loop.makePromise(of: TLSEstablished.self)
        let timeout = TimeAmount.milliseconds(Int64(timeoutMilliseconds))
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(TLSHandler(session: session, isServer: false, handshake: handshake))
                        try sync.addHTTPClientHandlers()
                        try sync.addHandler(PeerClientHandler())
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            handshake.fail(error)
            if case ChannelError.connectTimeout = error {
                throw HealthSyncError(.timedOut, "\(endpoint) did not answer within \(timeoutMilliseconds) ms")
            }
            throw HealthSyncError(.deviceNotFound, "Cannot reach \(endpoint)", cause: "\(error)")
        }
        let deadline = loop.scheduleTask(in: timeout) {
            handshake.fail(HealthSyncError(.timedOut, "TLS handshake timed out after \(timeoutMilliseconds) ms"))
            channel.close(promise: nil)
        }
        let established: TLSEstablished
        do {
            established = try await handshake.futureResult.get()
            deadline.cancel()
        } catch {
            deadline.cancel()
            try? await channel.close()
            throw HealthSyncError.wrap(error, as: .protocolError, "The TLS handshake with \(endpoint) failed")
        }
        let chain = established.peerChainPEM.compactMap { try? crypto.parseCertificate(pem: $0) }
        let info = ConnectionInfo(
            peer: crypto.presentation(of: chain, anchor: anchor, role: .server, host: endpoint.host, at: clock.now()),
            presentedChain: chain, channelBinding: established.channelBinding, remoteAddress: endpoint.description,
            session: SessionParameters(version: established.version, cipher: established.cipher, alpn: established.alpn))
        return OpenSSLConnection(channel: channel, info: info, host: endpoint.description, timeout: timeout,
                                 alpn: established.alpn)
    }
}

/// Connections a listener accepted, closed with it.
final class ChildChannels: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in _ = self?.channels.withLock { $0.removeValue(forKey: id) } }
    }

    func closeAll() {
        for channel in channels.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }

    var count: Int { channels.withLock { $0.count } }
}

struct OpenSSLListener: TransportListener {
    let channel: any Channel
    let children: ChildChannels
    let endpoint: Endpoint

    /// Stops accepting, lets open connections finish what they are doing
    /// for up to a second, then closes the rest.
    func close() async {
        try? await channel.close()
        let deadline = ContinuousClock.now.advanced(by: .seconds(1))
        while children.count > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        children.closeAll()
    }
}

struct OpenSSLConnection: TransportConnection {
    let channel: any Channel
    let info: ConnectionInfo
    let host: String
    let timeout: TimeAmount
    let alpn: String?

    func send(_ request: WireRequest) async throws -> WireResponse {
        let promise = channel.eventLoop.makePromise(of: WireResponse.self)
        let limit = request.path == WireRoute.pairCodeConfirm ? OpenSSLTransport.decisionTimeout : timeout
        let deadline = channel.eventLoop.scheduleTask(in: limit) {
            promise.fail(HealthSyncError(.timedOut, "No answer within \(limit.nanoseconds / 1_000_000) ms"))
        }
        // A connection the peer already closed fails the write, not the wait for an answer.
        channel.writeAndFlush(PendingRequest(request: request, host: host, response: promise)).whenFailure { _ in
            promise.fail(HealthSyncError(.deviceNotFound, "The peer closed the connection",
                                         hint: "If this device was unpaired or its certificate refused, run `healthsync status`."))
        }
        defer { deadline.cancel() }
        return try await promise.futureResult.get()
    }

    func close() async { try? await channel.close() }
}
