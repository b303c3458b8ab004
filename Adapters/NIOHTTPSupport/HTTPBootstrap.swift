import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import NIOCore
import NIOHTTP1
import NIOPosix

/// Binding and dialling HTTP/1.1 channels the way every NIO adapter does:
/// an optional TLS stage first, HTTP next, the shared handlers last.
public enum HTTPBootstrap {
    /// Listens on `endpoint` (port 0: any free port). Each accepted channel
    /// gets an idle cut-off, the TLS stage `tls` makes (if any), the HTTP
    /// server codec, and `handler`. `cannotListen` is the hint when binding fails.
    public static func listen(on endpoint: Endpoint, group: any EventLoopGroup, backlog: Int32, idleTimeout: Duration,
                              tls: (@Sendable (any Channel) throws -> TLSHandler)? = nil,
                              handler: @escaping @Sendable (any Channel) -> any ChannelHandler,
                              cannotListen: String) async throws -> any TransportListener {
        let children = ChannelRegistry()
        let idle = TimeAmount(idleTimeout)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: backlog)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    children.add(channel)
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(readTimeout: idle))
                    if let tls { try sync.addHandler(try tls(channel)) }
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(handler(channel))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: endpoint.host, port: endpoint.port).get()
            let port = channel.localAddress?.port ?? endpoint.port
            return HTTPListener(channel: channel, children: children, endpoint: Endpoint(host: endpoint.host, port: port))
        } catch {
            throw HealthSyncError(.invalidArgument, "Cannot listen on \(endpoint): \(error)", hint: cannotListen)
        }
    }

    /// Dials `endpoint` within `timeout`: the TLS stage (if any), the HTTP
    /// client codec and `client`. Throws `unreachable` when nothing
    /// listens, and `timedOut` when nothing answers in time.
    public static func connect(to endpoint: Endpoint, on loop: any EventLoop, timeout: Duration, tls: TLSHandler?,
                               client: HTTPClientHandler, unreachable: HealthSyncError,
                               timedOut: HealthSyncError) async throws -> any Channel {
        do {
            return try await ClientBootstrap(group: loop)
                .connectTimeout(TimeAmount(timeout))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if let tls { try sync.addHandler(tls) }
                        try sync.addHTTPClientHandlers()
                        try sync.addHandler(client)
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            if case ChannelError.connectTimeout = error { throw timedOut }
            throw HealthSyncError(unreachable.code, unreachable.message, hint: unreachable.hint, cause: "\(error)")
        }
    }

    /// Sends `request` on `channel` (whose last handler is an
    /// `HTTPClientHandler`) and waits at most `timeout` for its answer.
    public static func send(_ request: WireRequest, on channel: any Channel, timeout: Duration,
                            timedOut: HealthSyncError, closed: HealthSyncError) async throws -> WireResponse {
        let promise = channel.eventLoop.makePromise(of: WireResponse.self)
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { promise.fail(timedOut) }
        // A connection the other side already closed fails the write, not the wait for an answer.
        channel.writeAndFlush(PendingRequest(request: request, response: promise)).whenFailure { _ in promise.fail(closed) }
        defer { deadline.cancel() }
        return try await promise.futureResult.get()
    }
}
