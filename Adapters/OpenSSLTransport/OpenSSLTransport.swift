import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import NIOCore
import NIOHTTPSupport
import NIOPosix

/// The `Transport` port over the network: TLS 1.3 only through system
/// OpenSSL (the shared TLS stage), HTTP/1.1 from the shared NIO plumbing,
/// ALPN `healthsync/1` (or `http/1.1` for curl), the TLS exporter as the
/// channel binding, and the peer protocol from `HealthSyncWire`. Chains are
/// verified through the crypto port after the handshake, exactly as the
/// loopback transport verifies them.
public final class OpenSSLTransport: Transport {
    let crypto: any Crypto
    let clock: any WallClock
    private let chosenGroup: (any EventLoopGroup)?
    /// The group given, else NIO's shared one, started at its first use: a
    /// command that never opens a socket starts no event-loop threads.
    var group: any EventLoopGroup { chosenGroup ?? MultiThreadedEventLoopGroup.singleton }
    private let idleTimeout: Duration
    private let limits: ConnectionLimits
    /// Outgoing peer connections.
    let clientContext = LazyTLSContext()
    /// Protocol-mode connections to Syncthing relays offer `bep-relay`.
    let relayContext = LazyTLSContext(alpn: ["bep-relay"])

    /// `idleTimeoutMilliseconds`: how long a client may stay silent (while
    /// no request of its own is being answered) before it is cut off;
    /// `limits`: deadlines and caps for connections not yet authenticated.
    public init(crypto: any Crypto, clock: any WallClock, idleTimeoutMilliseconds: Int = 30_000,
                limits: ConnectionLimits = ConnectionLimits(),
                group: (any EventLoopGroup)? = nil) throws {
        self.crypto = crypto
        self.clock = clock
        chosenGroup = group
        self.limits = limits
        idleTimeout = .milliseconds(idleTimeoutMilliseconds)
    }

    public func listen(on endpoint: Endpoint, credentials: TransportCredentials, clientAnchor: Certificate,
                       serving requests: any PeerRequests) async throws -> any TransportListener {
        let (tls, handler) = try serverStages(credentials: credentials, clientAnchor: clientAnchor, requests: requests,
                                              remote: { SourceAddress.of($0) })
        return try await HTTPBootstrap.listen(
            on: endpoint, group: group, backlog: 256, idleTimeout: idleTimeout, limits: limits, tls: tls, handler: handler,
            cannotListen: "Choose another port (--port), or 0 to let the system choose.")
    }

    /// The TLS stage and the HTTP handler of a served connection, direct or relayed.
    private func serverStages(credentials: TransportCredentials, clientAnchor: Certificate, requests: any PeerRequests,
                              remote: @escaping @Sendable (any Channel) -> String) throws
        -> (@Sendable (any Channel) throws -> TLSHandler, @Sendable (any Channel) -> any ChannelHandler) {
        let context = try TLSContext(server: true, credentials: credentials, clientCA: clientAnchor)
        let crypto = self.crypto, clock = self.clock
        let router = PeerRouter(requests, executor: HandlerExecutor.shared)
        return ({ channel in
            let handshake = channel.eventLoop.makePromise(of: TLSEstablished.self)
            // A refused client (not from our CA, no pairing session open) is told to the log.
            let address = remote(channel)
            handshake.futureResult.whenComplete { result in
                switch result {
                case .success(let established):
                    let binding = established.channelBinding
                    channel.closeFuture.whenComplete { _ in router.connectionClosed(channelBinding: binding) }
                case .failure(let error):
                    router.refused(from: address, reason: HealthSyncError.wrap(error, as: .protocolError, "The TLS handshake failed"))
                }
            }
            return TLSHandler(session: try context.makeSession(requireKnownClient: !router.admitsClientsWithoutCertificate),
                              isServer: true, handshake: handshake)
        }, { channel in
            let remote = remote(channel)
            return HTTPServerHandler<ConnectionInfo>(
                context: { established in
                    established.map { Self.describe($0, crypto: crypto, anchor: .certificate(clientAnchor), role: .client,
                                                   host: nil, remote: remote, at: clock.now()) }
                },
                respond: { info, request in await router.handle(request, from: info) })
        })
    }

    public func join(_ relay: ReachServer, identity: TransportCredentials, credentials: TransportCredentials,
                     clientAnchor: Certificate, serving requests: any PeerRequests) async throws -> any RelayMembership {
        let source = relay.address
        let (tls, handler) = try serverStages(credentials: credentials, clientAnchor: clientAnchor, requests: requests,
                                              remote: { _ in source })
        let control = try await RelayControl.open(relay, identity: identity, context: try relayContext.get(), crypto: crypto,
                                                  group: group, timeout: .seconds(10))
        do {
            try await control.send(.joinRelayRequest)
            let answer = try await control.next(within: .seconds(10))
            guard case .response(let code, let text) = answer else {
                throw HealthSyncError(.protocolError, "The relay \(relay.address) answered the join with something else")
            }
            switch code {
            case RelayMessage.Code.success: break
            case RelayMessage.Code.alreadyConnected:
                throw HealthSyncError(.protocolError, "The relay \(relay.address) says this device is joined already",
                                      hint: "Another HealthSync daemon with this identity is joined; stop it, or wait a minute for the relay to notice.")
            default:
                throw HealthSyncError(.protocolError, "The relay \(relay.address) refused to let this device join (\(code): \(Printable.clean(text, maxLength: 200)))")
            }
        } catch {
            await control.close()
            throw error
        }
        let pipeline = ServerPipeline(idleTimeout: idleTimeout, limits: limits, tls: tls, handler: handler)
        return OpenSSLRelayMembership(control: control, pipeline: pipeline, group: group)
    }

    public func connect(to endpoint: Endpoint, credentials: TransportCredentials?, anchor: TrustAnchor,
                        timeout: Duration) async throws -> any PeerLink {
        let loop = group.next()
        let handshake = loop.makePromise(of: TLSEstablished.self)
        let tls = TLSHandler(session: try clientContext.get().makeSession(credentials: credentials), isServer: false,
                             handshake: handshake)
        let channel: any Channel
        do {
            channel = try await HTTPBootstrap.connect(
                to: endpoint, on: loop, timeout: timeout, tls: tls,
                client: HTTPClientHandler(host: endpoint.description, closed: OpenSSLExchange.closed),
                unreachable: HealthSyncError(.deviceNotFound, "Cannot reach \(endpoint)"),
                timedOut: HealthSyncError(.timedOut, "\(endpoint) did not answer within \(timeout)"))
        } catch {
            handshake.fail(error)
            throw error
        }
        let established = try await HandshakeWait.established(
            handshake, on: channel, timeout: timeout,
            timedOut: HealthSyncError(.timedOut, "The TLS handshake with \(endpoint) took longer than \(timeout)"),
            failed: "The TLS handshake with \(endpoint) failed")
        let info = Self.describe(established, crypto: crypto, anchor: anchor, role: .server, host: endpoint.host,
                                 remote: endpoint.description, at: clock.now())
        return PeerWireLink(OpenSSLExchange(channel: channel, info: info, refusal: tls.refusal))
    }

    /// What a handshake established, as the port reports it: the chain
    /// verified through the crypto port at `time`.
    static func describe(_ established: TLSEstablished, crypto: any Crypto, anchor: TrustAnchor,
                                 role: CertificateRole, host: String?, remote: String, at time: Date) -> ConnectionInfo {
        let chain = established.peerChainPEM.compactMap { try? crypto.parseCertificate(pem: $0) }
        return ConnectionInfo(
            peer: crypto.presentation(of: chain, anchor: anchor, role: role, host: host, at: time),
            presentedChain: chain, channelBinding: established.channelBinding, remoteAddress: remote,
            session: SessionParameters(version: established.version, cipher: established.cipher, alpn: established.alpn))
    }
}

/// One mutual-TLS connection carrying the wire protocol.
struct OpenSSLExchange: WireExchange {
    static let closed = HealthSyncError(.deviceNotFound, "The peer closed the connection",
                                        hint: "If this device was unpaired or its certificate refused, run `healthsync status`.")

    let channel: any Channel
    let info: ConnectionInfo
    let refusal: TLSRefusal

    func send(_ request: WireRequest, timeout: Duration) async throws -> WireResponse {
        do {
            return try await HTTPBootstrap.send(request, on: channel, timeout: timeout,
                                                timedOut: HealthSyncError(.timedOut, "No answer within \(timeout)"),
                                                closed: Self.closed)
        } catch let error as HealthSyncError where error == Self.closed {
            // The server's alert may have closed the connection before the request went out.
            throw refusal.error ?? error
        }
    }

    func close() async { try? await channel.close() }
}
