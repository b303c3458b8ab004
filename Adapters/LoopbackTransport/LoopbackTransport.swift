import Foundation
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import Synchronization

/// The `Transport` port in memory (after grpc-swift's InProcessTransport):
/// a connection is a pair of `ConnectionInfo`s, and each request goes
/// through the same wire codec and router as on the network — the same
/// bytes, only not over a socket — with the same bound and timeouts.
/// Certificates are verified through the crypto port exactly as the TLS
/// transport verifies them, so revoked, expired and foreign-CA peers are
/// refused in memory as they are on the network.
public struct LoopbackTransport: Transport {
    private let network: LoopbackNetwork
    private let crypto: any Crypto
    private let clock: any WallClock
    private let entropy: any EntropySource

    public init(network: LoopbackNetwork, crypto: any Crypto, clock: any WallClock, entropy: any EntropySource) {
        self.network = network
        self.crypto = crypto
        self.clock = clock
        self.entropy = entropy
    }

    /// No TLS in memory: the certificates are exchanged and verified as values.
    static let session = SessionParameters(version: "loopback", cipher: "none", alpn: "healthsync/1")

    public func listen(on endpoint: Endpoint, credentials: TransportCredentials, clientAnchor: Certificate,
                       serving requests: any PeerRequests) async throws -> any TransportListener {
        let (port, id) = try network.register(port: endpoint.port, credentials: credentials,
                                              clientAnchor: clientAnchor, router: PeerRouter(requests))
        return LoopbackListener(network: network, endpoint: Endpoint(host: endpoint.host, port: port), id: id)
    }

    public func connect(to endpoint: Endpoint, credentials: TransportCredentials?, anchor: TrustAnchor,
                        timeout: Duration) async throws -> any PeerLink {
        guard let listener = network.listener(port: endpoint.port) else {
            throw HealthSyncError(.deviceNotFound, "Nothing is listening at \(endpoint)")
        }
        guard !network.isSilent(port: endpoint.port) else {
            throw HealthSyncError(.timedOut, "\(endpoint) did not answer within \(timeout)")
        }
        let binding = try entropy.bytes(32)
        let now = clock.now()
        let serverChain = [listener.credentials.certificate] + listener.credentials.chain
        let clientChain = credentials.map { [$0.certificate] + $0.chain } ?? []
        let clientView = ConnectionInfo(
            peer: crypto.presentation(of: serverChain, anchor: anchor, role: .server, host: endpoint.host, at: now),
            presentedChain: serverChain, channelBinding: binding, remoteAddress: endpoint.description, session: Self.session)
        let serverView = ConnectionInfo(
            peer: crypto.presentation(of: clientChain, anchor: .certificate(listener.clientAnchor), role: .client,
                                      host: nil, at: now),
            presentedChain: clientChain, channelBinding: binding, remoteAddress: "loopback", session: Self.session)
        // As the TLS transport's handshake does: with no pairing session open,
        // only a certificate from the listener's CA gets in (its dates are
        // judged later, by the trust policy).
        if !listener.router.admitsClientsWithoutCertificate,
           clientChain.isEmpty || !Self.chainsToAnchor(serverView.peer.chainCheck) {
            throw credentials == nil ? HandshakeRefusal.noPairingSession : HandshakeRefusal.untrustedCertificate
        }
        return PeerWireLink(LoopbackExchange(network: network, port: endpoint.port, listenerID: listener.id,
                                             info: clientView, serverView: serverView, router: listener.router))
    }
}

extension LoopbackTransport {
    static func chainsToAnchor(_ check: ChainCheck) -> Bool {
        switch check {
        case .verified, .expired, .notYetValid, .hostMismatch, .revoked: true
        case .unknownIssuer, .selfSignedInChain, .badSignature: false
        }
    }
}

struct LoopbackListener: TransportListener {
    let network: LoopbackNetwork
    let endpoint: Endpoint
    let id: Int

    func close() async { network.unregister(port: endpoint.port, id: id) }
}

/// One in-memory connection: requests reach the listener's router while it
/// listens and the connection is open.
final class LoopbackExchange: WireExchange {
    let network: LoopbackNetwork
    let port: Int
    let listenerID: Int
    let info: ConnectionInfo
    let serverView: ConnectionInfo
    let router: PeerRouter
    private let open = Mutex(true)

    init(network: LoopbackNetwork, port: Int, listenerID: Int, info: ConnectionInfo, serverView: ConnectionInfo,
         router: PeerRouter) {
        self.network = network
        self.port = port
        self.listenerID = listenerID
        self.info = info
        self.serverView = serverView
        self.router = router
    }

    func send(_ request: WireRequest, timeout: Duration) async throws -> WireResponse {
        guard open.withLock({ $0 }), network.isListening(port: port, id: listenerID) else {
            throw HealthSyncError(.deviceNotFound, "The connection to port \(port) was closed")
        }
        let router = self.router, view = serverView
        return try await withDeadline(timeout, timedOut: HealthSyncError(.timedOut, "No answer within \(timeout)")) {
            await router.handle(request, from: view)
        }
    }

    func close() async { open.withLock { $0 = false } }
}
