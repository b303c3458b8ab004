import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire

/// The `ControlChannel` port in memory: a daemon registers its router on
/// the process's `LoopbackNetwork` (by port, or by socket path), and a
/// client's request reaches it through the same codec and checks as over HTTP.
public struct LoopbackControlChannel: ControlChannel {
    private let network: LoopbackNetwork

    public init(network: LoopbackNetwork) { self.network = network }

    public func serve(at address: ControlAddress, token: SecretBytes, requests: any DaemonRequests) async throws
        -> any ControlListener {
        let router = ControlRouter(token: token, requests: requests)
        switch address {
        case .tcp(let endpoint):
            let (port, id) = try network.registerControl(port: endpoint.port, router: router)
            return LoopbackControlListener(address: .tcp(Endpoint(host: endpoint.host, port: port))) { [network] in
                network.unregisterControl(port: port, id: id)
            }
        case .socket(let path):
            let id = try network.registerControl(socket: path, router: router)
            return LoopbackControlListener(address: address) { [network] in network.unregisterControl(socket: path, id: id) }
        }
    }

    public func link(to address: ControlAddress, token: SecretBytes?) -> any DaemonLink {
        DaemonWireLink(address: address, token: token, exchange: LoopbackControlExchange(network: network))
    }
}

struct LoopbackControlExchange: ControlExchange {
    let network: LoopbackNetwork

    func send(_ request: WireRequest, to address: ControlAddress, timeout: Duration) async throws -> WireResponse {
        let router: ControlRouter? = switch address {
        case .tcp(let endpoint): network.controlRouter(port: endpoint.port)
        case .socket(let path): network.controlRouter(socket: path)
        }
        guard let router else {
            throw HealthSyncError(.daemonUnreachable, "Failed to connect to daemon at \(address)",
                                  hint: "Start it with `healthsync daemon`.")
        }
        let timedOut = HealthSyncError(.daemonUnreachable, "The daemon at \(address) did not answer within \(timeout)")
        return try await withDeadline(timeout, timedOut: timedOut) { await router.handle(request) }
    }
}

struct LoopbackControlListener: ControlListener {
    let address: ControlAddress
    let unregister: @Sendable () -> Void

    func close() async { unregister() }
}
