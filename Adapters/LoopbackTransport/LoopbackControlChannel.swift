import HealthSyncDomain
import HealthSyncPorts

/// The `ControlChannel` port in memory: a daemon registers its router on
/// the process's `LoopbackNetwork`, and a client's request is a direct call.
public struct LoopbackControlChannel: ControlChannel {
    private let network: LoopbackNetwork

    public init(network: LoopbackNetwork) { self.network = network }

    public func serve(on endpoint: Endpoint, handler: @escaping ControlHandler) async throws -> any TransportListener {
        let bounded: ControlHandler = { request in
            // The same bound the HTTP adapter applies before the router.
            guard request.body.count <= WireCodec.maxRequestBytes else {
                return WireResponse(error: HealthSyncError(.payloadTooLarge))
            }
            return await handler(request)
        }
        let (port, id) = try network.registerControl(port: endpoint.port, handler: bounded)
        return LoopbackControlListener(network: network, endpoint: Endpoint(host: endpoint.host, port: port), id: id)
    }

    public func send(_ request: ControlRequest, to endpoint: Endpoint,
                     timeoutMilliseconds: Int) async throws -> WireResponse {
        guard let handler = network.controlHandler(port: endpoint.port) else {
            throw HealthSyncError(.daemonUnreachable, "Failed to connect to daemon at \(endpoint)")
        }
        return await handler(request)
    }
}

struct LoopbackControlListener: TransportListener {
    let network: LoopbackNetwork
    let endpoint: Endpoint
    let id: Int

    func close() async { network.unregisterControl(port: endpoint.port, id: id) }
}
