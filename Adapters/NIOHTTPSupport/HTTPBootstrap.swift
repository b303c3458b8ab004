import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Binding and dialling HTTP/1.1 channels the way every NIO adapter does:
/// an optional TLS stage first, HTTP next, the shared handlers last.
public enum HTTPBootstrap {
    /// Listens on `endpoint` (port 0: any free port). Each accepted channel
    /// gets an idle cut-off, the TLS stage `tls` makes (if any), the HTTP
    /// server codec, and `handler`. `cannotListen` is the hint when binding fails.
    public static func listen(on endpoint: Endpoint, group: any EventLoopGroup, backlog: Int32, idleTimeout: Duration,
                              limits: ConnectionLimits = ConnectionLimits(),
                              tls: (@Sendable (any Channel) throws -> TLSHandler)? = nil,
                              handler: @escaping @Sendable (any Channel) -> any ChannelHandler,
                              cannotListen: String) async throws -> any TransportListener {
        let children = ChannelRegistry(limits: limits)
        let bootstrap = serverBootstrap(group: group, backlog: backlog, idleTimeout: idleTimeout, limits: limits,
                                        children: children, admit: nil, tls: tls, handler: handler)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        do {
            var host = endpoint.host
            let channel: any Channel
            do {
                channel = try await bootstrap.bind(host: host, port: endpoint.port).get()
            } catch where host == "::" {
                // A machine with IPv6 turned off still serves IPv4.
                host = "0.0.0.0"
                channel = try await bootstrap.bind(host: host, port: endpoint.port).get()
            }
            let port = channel.localAddress?.port ?? endpoint.port
            return HTTPListener(channel: channel, children: children, endpoint: Endpoint(host: host, port: port))
        } catch {
            throw HealthSyncError(.invalidArgument, "Cannot listen on \(endpoint): \(error)", hint: cannotListen)
        }
    }

    /// Listens on a Unix domain socket at `path` (made 0600; a stale socket
    /// file there is replaced, anything else is refused). A connection from
    /// a user other than this process's (or root) is closed before it is
    /// read: the kernel states the peer's uid (`SO_PEERCRED`).
    public static func listen(atSocket path: String, group: any EventLoopGroup, backlog: Int32, idleTimeout: Duration,
                              handler: @escaping @Sendable (any Channel) -> any ChannelHandler,
                              cannotListen: String) async throws -> any LocalListener {
        let limits = ConnectionLimits()
        let children = ChannelRegistry(limits: limits)
        let bootstrap = serverBootstrap(group: group, backlog: backlog, idleTimeout: idleTimeout, limits: limits,
                                        children: children, admit: PeerCredentials.admitSameUser, tls: nil, handler: handler)
        guard path.utf8.count < 108 else {
            throw HealthSyncError(.configInvalid, "The control socket path is too long for a Unix socket: \(path)",
                                  hint: "Use a state directory with a shorter path (--state-dir).")
        }
        do {
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            guard chmod(path, 0o600) == 0 else {
                try? await channel.close()
                throw HealthSyncError(.keystorePermissions, "Cannot make \(path) private")
            }
            return SocketListener(listener: HTTPListener(channel: channel, children: children,
                                                         endpoint: Endpoint(host: "localhost", port: 0)),
                                  path: path)
        } catch let error as HealthSyncError {
            throw error
        } catch {
            throw HealthSyncError(.invalidArgument, "Cannot listen on \(path): \(error)", hint: cannotListen)
        }
    }

    /// Every accepted channel gets `admit`'s check (if any), then the
    /// server pipeline (`ServerPipeline.install`).
    private static func serverBootstrap(group: any EventLoopGroup, backlog: Int32, idleTimeout: Duration,
                                        limits: ConnectionLimits, children: ChannelRegistry,
                                        admit: (@Sendable (any Channel) -> EventLoopFuture<Void>)?,
                                        tls: (@Sendable (any Channel) throws -> TLSHandler)?,
                                        handler: @escaping @Sendable (any Channel) -> any ChannelHandler) -> ServerBootstrap {
        let pipeline = ServerPipeline(idleTimeout: idleTimeout, limits: limits, children: children, tls: tls, handler: handler)
        return ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: backlog)
            // Requests are small (a TLS flight, an HTTP request of a few
            // hundred bytes), and each connection keeps its receive buffer while
            // idle: 512 bytes, where NIO's adaptive one starts at 2048 and grows.
            .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 512))
            .childChannelInitializer { channel in
                let admitted = admit?(channel) ?? channel.eventLoop.makeSucceededVoidFuture()
                return admitted.flatMapThrowing { try pipeline.install(on: channel, source: SourceAddress.of(channel)) }
            }
    }

    /// Dials `endpoint` within `timeout`: the TLS stage (if any), the HTTP
    /// client codec and `client`. Throws `unreachable` when nothing
    /// listens, and `timedOut` when nothing answers in time.
    public static func connect(to endpoint: Endpoint, on loop: any EventLoop, timeout: Duration, tls: TLSHandler?,
                               client: HTTPClientHandler, unreachable: HealthSyncError,
                               timedOut: HealthSyncError) async throws -> any Channel {
        try await connect(on: loop, timeout: timeout, tls: tls, client: client, unreachable: unreachable, timedOut: timedOut) {
            $0.channelOption(.tcpOption(.tcp_nodelay), value: 1).connect(host: endpoint.host, port: endpoint.port)
        }
    }

    /// Dials the Unix domain socket at `path`, as `connect(to:)` dials TCP.
    public static func connect(toSocket path: String, on loop: any EventLoop, timeout: Duration,
                               client: HTTPClientHandler, unreachable: HealthSyncError,
                               timedOut: HealthSyncError) async throws -> any Channel {
        try await connect(on: loop, timeout: timeout, tls: nil, client: client, unreachable: unreachable, timedOut: timedOut) {
            $0.connect(unixDomainSocketPath: path)
        }
    }

    private static func connect(on loop: any EventLoop, timeout: Duration, tls: TLSHandler?, client: HTTPClientHandler,
                                unreachable: HealthSyncError, timedOut: HealthSyncError,
                                dial: (ClientBootstrap) -> EventLoopFuture<any Channel>) async throws -> any Channel {
        do {
            let bootstrap = ClientBootstrap(group: loop)
                .connectTimeout(TimeAmount(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if let tls { try sync.addHandler(tls) }
                        try sync.addHTTPClientHandlers()
                        try sync.addHandler(client)
                    }
                }
            return try await dial(bootstrap).get()
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

/// A connection past the caps: closed as soon as it is accepted.
struct ConnectionRefused: Error {}

/// Where a connection comes from, IPv4 clients of a dual-stack listener
/// (`::ffff:a.b.c.d`) named by their IPv4 address, so limits and messages
/// count one host once whichever way it arrived.
public enum SourceAddress {
    public static func of(_ channel: any Channel) -> String {
        normalized(channel.remoteAddress?.ipAddress ?? "local")
    }

    public static func normalized(_ address: String) -> String {
        let mapped = "::ffff:"
        if address.lowercased().hasPrefix(mapped), address.dropFirst(mapped.count).contains(".") {
            return String(address.dropFirst(mapped.count))
        }
        return address
    }
}
