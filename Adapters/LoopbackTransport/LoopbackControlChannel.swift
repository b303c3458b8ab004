import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire

/// The `ControlChannel` port in memory: a daemon registers its router on
/// the process's `LoopbackNetwork`, and a client's request reaches it
/// through the same codec and token check as over HTTP.
public struct LoopbackControlChannel: ControlChannel {
    private let network: LoopbackNetwork

    public init(network: LoopbackNetwork) { self.network = network }

    public func serve(on endpoint: Endpoint, token: SecretBytes, requests: any DaemonRequests) async throws
        -> any TransportListener {
        let (port, id) = try network.registerControl(port: endpoint.port, router: ControlRouter(token: token, requests: requests))
        return LoopbackControlListener(network: network, endpoint: Endpoint(host: endpoint.host, port: port), id: id)
    }

    public func link(to endpoint: Endpoint, token: SecretBytes?) -> any DaemonLink {
        DaemonWireLink(endpoint: endpoint, token: token, exchange: LoopbackControlExchange(network: network))
    }
}

struct LoopbackControlExchange: ControlExchange {
    let network: LoopbackNetwork

    func send(_ request: WireRequest, to endpoint: Endpoint, timeout: Duration) async throws -> WireResponse {
        guard let router = network.controlRouter(port: endpoint.port) else {
            throw HealthSyncError(.daemonUnreachable, "Failed to connect to daemon at \(endpoint)")
        }
        let timedOut = HealthSyncError(.daemonUnreachable, "The daemon at \(endpoint) did not answer within \(timeout)")
        return try await withDeadline(timeout, timedOut: timedOut) { await router.handle(request) }
    }
}

struct LoopbackControlListener: TransportListener {
    let network: LoopbackNetwork
    let endpoint: Endpoint
    let id: Int

    func close() async { network.unregisterControl(port: endpoint.port, id: id) }
}
