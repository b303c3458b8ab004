import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import NIOCore
import NIOHTTPSupport
import NIOPosix

/// The `ControlChannel` port over plain HTTP/1.1 with the shared NIO
/// plumbing and the control protocol from `HealthSyncWire`. Only the
/// loopback interface is meant to carry it: the token, not TLS, protects it.
public final class NIOControlChannel: ControlChannel {
    private let group: any EventLoopGroup
    private let idleTimeout: Duration

    /// `idleTimeoutMilliseconds`: how long a client may stay silent (while
    /// none of its requests is being answered) before it is cut off.
    public init(idleTimeoutMilliseconds: Int = 30_000, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
        idleTimeout = .milliseconds(idleTimeoutMilliseconds)
    }

    public func serve(on endpoint: Endpoint, token: SecretBytes, requests: any DaemonRequests) async throws
        -> any TransportListener {
        let router = ControlRouter(token: token, requests: requests)
        return try await HTTPBootstrap.listen(
            on: endpoint, group: group, backlog: 64, idleTimeout: idleTimeout,
            handler: { _ in
                HTTPServerHandler<Void>(headerNames: [ControlRoute.tokenHeader.lowercased()], context: { _ in () },
                                        respond: { _, request in await router.handle(request) })
            },
            cannotListen: "Is another daemon running? Choose another port (--api-port), or 0.")
    }

    public func link(to endpoint: Endpoint, token: SecretBytes?) -> any DaemonLink {
        DaemonWireLink(endpoint: endpoint, token: token, exchange: NIOControlExchange(group: group))
    }
}

/// One connection per request: the CLI asks a daemon a few questions at most.
struct NIOControlExchange: ControlExchange {
    let group: any EventLoopGroup

    func send(_ request: WireRequest, to endpoint: Endpoint, timeout: Duration) async throws -> WireResponse {
        let unreachable = HealthSyncError(.daemonUnreachable, "Failed to connect to daemon at \(endpoint)")
        let closed = HealthSyncError(.daemonUnreachable, "The daemon closed the connection without answering")
        let channel = try await HTTPBootstrap.connect(
            to: endpoint, on: group.next(), timeout: timeout, tls: nil,
            client: HTTPClientHandler(host: endpoint.description, closeAfterEach: true, closed: closed),
            unreachable: unreachable, timedOut: unreachable)
        defer { channel.close(promise: nil) }
        return try await HTTPBootstrap.send(
            request, on: channel, timeout: timeout,
            timedOut: HealthSyncError(.daemonUnreachable, "The daemon at \(endpoint) did not answer within \(timeout)"),
            closed: closed)
    }
}
