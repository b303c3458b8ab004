import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import NIOCore
import NIOHTTPSupport
import NIOPosix

/// The `ControlChannel` port over plain HTTP/1.1 with the shared NIO
/// plumbing and the control protocol from `HealthSyncWire`: on a Unix
/// domain socket in the private state directory (the CLI's way) or on a
/// loopback TCP port (browser extensions). The token and the socket's
/// directory, not TLS, protect it.
public final class NIOControlChannel: ControlChannel {
    private let chosenGroup: (any EventLoopGroup)?
    /// The group given, else NIO's shared one, started at its first use: a
    /// command that never opens a socket starts no event-loop threads.
    private var group: any EventLoopGroup { chosenGroup ?? MultiThreadedEventLoopGroup.singleton }
    private let idleTimeout: Duration

    /// `idleTimeoutMilliseconds`: how long a client may stay silent (while
    /// none of its requests is being answered) before it is cut off.
    public init(idleTimeoutMilliseconds: Int = 30_000, group: (any EventLoopGroup)? = nil) {
        chosenGroup = group
        idleTimeout = .milliseconds(idleTimeoutMilliseconds)
    }

    public func serve(at address: ControlAddress, token: SecretBytes, requests: any DaemonRequests) async throws
        -> any ControlListener {
        let router = ControlRouter(token: token, requests: requests)
        let handler: @Sendable (any Channel) -> any ChannelHandler = { _ in
            HTTPServerHandler<Void>(headerNames: ControlWire.headerNames, context: { _ in () },
                                    respond: { _, request in await router.handle(request) })
        }
        switch address {
        case .tcp(let endpoint):
            let listener = try await HTTPBootstrap.listen(
                on: endpoint, group: group, backlog: 64, idleTimeout: idleTimeout, handler: handler,
                cannotListen: "Is another daemon running? Choose another port (--api-port), or 0.")
            return NIOControlListener(address: .tcp(listener.endpoint), close: { await listener.close() })
        case .socket(let path):
            let listener = try await HTTPBootstrap.listen(
                atSocket: path, group: group, backlog: 64, idleTimeout: idleTimeout, handler: handler,
                cannotListen: "Is another daemon running with this state directory?")
            return NIOControlListener(address: address, close: { await listener.close() })
        }
    }

    public func link(to address: ControlAddress, token: SecretBytes?) -> any DaemonLink {
        DaemonWireLink(address: address, token: token, exchange: NIOControlExchange(group: group))
    }
}

struct NIOControlListener: ControlListener {
    let address: ControlAddress
    let close: @Sendable () async -> Void

    func close() async { await close() }
}

/// One connection per request: the CLI asks a daemon a few questions at most.
struct NIOControlExchange: ControlExchange {
    let group: any EventLoopGroup

    func send(_ request: WireRequest, to address: ControlAddress, timeout: Duration) async throws -> WireResponse {
        let unreachable = HealthSyncError(.daemonUnreachable, "Failed to connect to daemon at \(address)",
                                          hint: "Start it with `healthsync daemon`.")
        let closed = HealthSyncError(.daemonUnreachable, "The daemon closed the connection without answering")
        let timedOut = HealthSyncError(.daemonUnreachable, "The daemon at \(address) did not answer within \(timeout)")
        let channel: any Channel
        switch address {
        case .tcp(let endpoint):
            channel = try await HTTPBootstrap.connect(
                to: endpoint, on: group.next(), timeout: timeout, tls: nil,
                client: HTTPClientHandler(host: endpoint.description, closeAfterEach: true, closed: closed),
                unreachable: unreachable, timedOut: unreachable)
        case .socket(let path):
            channel = try await HTTPBootstrap.connect(
                toSocket: path, on: group.next(), timeout: timeout,
                client: HTTPClientHandler(host: "localhost", closeAfterEach: true, closed: closed),
                unreachable: unreachable, timedOut: unreachable)
        }
        defer { channel.close(promise: nil) }
        return try await HTTPBootstrap.send(request, on: channel, timeout: timeout, timedOut: timedOut, closed: closed)
    }
}
