import HealthSyncDomain
import HealthSyncPorts
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The `ControlChannel` port over plain HTTP/1.1 with SwiftNIO. Only the
/// loopback interface is meant to carry it: the token, not TLS, protects it.
public final class NIOControlChannel: ControlChannel {
    /// `POST /pair/join` waits for the sharing user's answer.
    static let longestRequest: TimeAmount = .seconds(660)

    private let group: any EventLoopGroup
    private let idleTimeout: TimeAmount

    /// `idleTimeoutMilliseconds`: how long a client may stay silent (while
    /// none of its requests is being answered) before it is cut off.
    public init(idleTimeoutMilliseconds: Int = 30_000) {
        group = MultiThreadedEventLoopGroup.singleton
        idleTimeout = .milliseconds(Int64(idleTimeoutMilliseconds))
    }

    public func serve(on endpoint: Endpoint, handler: @escaping ControlHandler) async throws -> any TransportListener {
        let connections = ControlConnections()
        let idleTimeout = self.idleTimeout
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    connections.add(channel)
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(ControlServerHandler(handler: handler))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: endpoint.host, port: endpoint.port).get()
            let port = channel.localAddress?.port ?? endpoint.port
            return ControlListener(channel: channel, connections: connections,
                                   endpoint: Endpoint(host: endpoint.host, port: port))
        } catch {
            throw HealthSyncError(.invalidArgument, "Cannot serve the control API on \(endpoint): \(error)",
                                  hint: "Is another daemon running? Choose another port (--api-port), or 0.")
        }
    }

    public func send(_ request: ControlRequest, to endpoint: Endpoint,
                     timeoutMilliseconds: Int) async throws -> WireResponse {
        let loop = group.next()
        let response = loop.makePromise(of: WireResponse.self)
        let timeout = TimeAmount.milliseconds(Int64(timeoutMilliseconds))
        let unreachable = HealthSyncError(.daemonUnreachable, "Failed to connect to daemon at \(endpoint)")
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHTTPClientHandlers()
                        try sync.addHandler(ControlClientHandler(response: response))
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            response.fail(unreachable)
            throw HealthSyncError(.daemonUnreachable, "Failed to connect to daemon at \(endpoint)", cause: "\(error)")
        }
        let waitLimit = request.path == ControlRoute.pairJoin ? Self.longestRequest : timeout
        let deadline = loop.scheduleTask(in: waitLimit) {
            response.fail(HealthSyncError(.daemonUnreachable,
                                          "The daemon at \(endpoint) did not answer within \(waitLimit.nanoseconds / 1_000_000) ms"))
            channel.close(promise: nil)
        }
        channel.writeAndFlush(ControlClientHandler.Outgoing(request: request, host: endpoint.description), promise: nil)
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        return try await response.futureResult.get()
    }
}

/// Connections the control listener accepted, closed with it.
final class ControlConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in _ = self?.channels.withLock { $0.removeValue(forKey: id) } }
    }

    func closeAll() {
        for channel in channels.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }
}

struct ControlListener: TransportListener {
    let channel: any Channel
    let connections: ControlConnections
    let endpoint: Endpoint

    func close() async {
        try? await channel.close()
        connections.closeAll()
    }
}
