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
        let network = self.network, port = endpoint.port, id = listener.id
        return try connect(to: listener, credentials: credentials, anchor: anchor, host: endpoint.host,
                           remote: endpoint.description) { network.isListening(port: port, id: id) }
    }

    public func connect(through route: RelayRoute, identity: TransportCredentials, credentials: TransportCredentials?,
                        anchor: TrustAnchor, timeout: Duration) async throws -> any PeerLink {
        guard !network.isRelayDown(route.relay.endpoint) else {
            throw HealthSyncError(.deviceNotFound, "Cannot reach the relay \(route.relay.address)")
        }
        let key = LoopbackNetwork.relayKey(route.relay, route.peer)
        guard let member = network.relayMember(key) else {
            throw HealthSyncError(.deviceNotFound, "The device is not connected to the relay \(route.relay.address)")
        }
        let network = self.network, id = member.id
        return try connect(to: member, credentials: credentials, anchor: anchor, host: nil,
                           remote: route.relay.address) { network.relayMember(key)?.id == id }
    }

    public func join(_ relay: ReachServer, identity: TransportCredentials, credentials: TransportCredentials,
                     clientAnchor: Certificate, serving requests: any PeerRequests) async throws -> any RelayMembership {
        guard !network.isRelayDown(relay.endpoint) else {
            throw HealthSyncError(.deviceNotFound, "Cannot reach the relay \(relay.address)")
        }
        let key = LoopbackNetwork.relayKey(relay, SyncthingDeviceID(certificateFingerprint: identity.certificate.fingerprint))
        let id = network.joinRelay(key, credentials: credentials, clientAnchor: clientAnchor, router: PeerRouter(requests))
        return LoopbackRelayMembership(network: network, key: key, id: id, relay: relay)
    }

    /// A connection to whoever serves at `listener`, open while `alive`.
    private func connect(to listener: LoopbackNetwork.Listening, credentials: TransportCredentials?, anchor: TrustAnchor,
                         host: String?, remote: String, alive: @escaping @Sendable () -> Bool) throws -> any PeerLink {
        let binding = try entropy.bytes(32)
        let now = clock.now()
        let serverChain = [listener.credentials.certificate] + listener.credentials.chain
        let clientChain = credentials.map { [$0.certificate] + $0.chain } ?? []
        let clientView = ConnectionInfo(
            peer: crypto.presentation(of: serverChain, anchor: anchor, role: .server, host: host, at: now),
            presentedChain: serverChain, channelBinding: binding, remoteAddress: remote, session: Self.session)
        let serverView = ConnectionInfo(
            peer: crypto.presentation(of: clientChain, anchor: .certificate(listener.clientAnchor), role: .client,
                                      host: nil, at: now),
            presentedChain: clientChain, channelBinding: binding, remoteAddress: "loopback", session: Self.session)
        // As the TLS transport's handshake does: with no pairing session open,
        // only a certificate from the listener's CA gets in (its dates are
        // judged later, by the trust policy).
        if !listener.router.admitsClientsWithoutCertificate,
           clientChain.isEmpty || !Self.chainsToAnchor(serverView.peer.chainCheck) {
            let refusal = credentials == nil ? HandshakeRefusal.noPairingSession : HandshakeRefusal.untrustedCertificate
            listener.router.refused(from: remote, reason: refusal)
            throw refusal
        }
        return PeerWireLink(LoopbackExchange(info: clientView, serverView: serverView, router: listener.router, alive: alive))
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
/// listens (or the member stays on its relay) and the connection is open.
final class LoopbackExchange: WireExchange {
    let info: ConnectionInfo
    let serverView: ConnectionInfo
    let router: PeerRouter
    private let alive: @Sendable () -> Bool
    private let open = Mutex(true)

    init(info: ConnectionInfo, serverView: ConnectionInfo, router: PeerRouter, alive: @escaping @Sendable () -> Bool) {
        self.info = info
        self.serverView = serverView
        self.router = router
        self.alive = alive
    }

    func send(_ request: WireRequest, timeout: Duration) async throws -> WireResponse {
        guard open.withLock({ $0 }), alive() else {
            throw HealthSyncError(.deviceNotFound, "The connection to \(info.remoteAddress) was closed")
        }
        let router = self.router, view = serverView
        return try await withDeadline(timeout, timedOut: HealthSyncError(.timedOut, "No answer within \(timeout)")) {
            await router.handle(request, from: view)
        }
    }

    func close() async {
        let wasOpen = open.withLock { open in
            defer { open = false }
            return open
        }
        if wasOpen { router.connectionClosed(channelBinding: serverView.channelBinding) }
    }
}

/// A device's place on an in-memory relay: it ends when the device leaves
/// or the relay is taken down (`LoopbackNetwork.setRelay(_:up:)`).
final class LoopbackRelayMembership: RelayMembership {
    private let network: LoopbackNetwork
    private let key: String
    private let id: Int
    private let relay: ReachServer

    init(network: LoopbackNetwork, key: String, id: Int, relay: ReachServer) {
        self.network = network
        self.key = key
        self.id = id
        self.relay = relay
    }

    func ended() async -> HealthSyncError {
        // Looked at every 50 ms, as a relay notices a dropped connection.
        while network.relayMember(key)?.id == id, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return HealthSyncError(.deviceNotFound, "The relay \(relay.address) closed the connection")
    }

    func close() async { network.leaveRelay(key, id: id) }
}
