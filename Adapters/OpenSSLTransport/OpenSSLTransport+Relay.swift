import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import NIOCore
import NIOHTTPSupport
import NIOPosix

/// A relayed session that was lost before it began, through no fault of
/// either device: worth asking the relay for a new one.
struct RelaySessionLost: Error {
    let error: HealthSyncError
}

extension OpenSSLTransport {
    /// At most this many sessions are asked for per connection.
    static let relayAttempts = 3

    /// Reaches `route.peer` through its relay: a ConnectRequest in protocol
    /// mode, then the session the relay invites us to, then mutual TLS.
    ///
    /// strelaysrv hands each session's two connections to a goroutine over
    /// an unbuffered channel and refuses ("already connected") whichever
    /// arrives while that goroutine is not waiting, and the key it refused
    /// is spent. When that happens to us we ask for a new session; when it
    /// happens to the peer, nothing answers our ClientHello, so an attempt
    /// that is not the last gives up after a sixth of the time and asks again. The relay learns nothing either way, and the TLS is the same.
    public func connect(through route: RelayRoute, identity: TransportCredentials, credentials: TransportCredentials?,
                        anchor: TrustAnchor, timeout: Duration) async throws -> any PeerLink {
        let deadline = ContinuousClock.now + timeout
        var attempt = 0
        while true {
            attempt += 1
            let remaining = deadline - .now
            // Earlier attempts may use at most a third of the time between them:
            // the last one keeps at least two thirds, so a slow machine is not
            // mistaken for a lost session and then left no time to prove otherwise.
            let last = attempt >= Self.relayAttempts || remaining < timeout * 2 / 3 + .milliseconds(10)
            do {
                return try await relayedSession(route, identity: identity, credentials: credentials, anchor: anchor,
                                                timeout: max(remaining, .milliseconds(100)), answerWithin: last ? nil : timeout / 6)
            } catch let lost as RelaySessionLost {
                if last { throw lost.error }
            }
        }
    }

    /// One session through the relay; `answerWithin`, when given: how long
    /// the peer has to answer our ClientHello before the session is taken as lost.
    private func relayedSession(_ route: RelayRoute, identity: TransportCredentials, credentials: TransportCredentials?,
                                anchor: TrustAnchor, timeout: Duration, answerWithin: Duration?) async throws -> any PeerLink {
        let relay = route.relay
        let invitation = try await invitation(to: route, identity: identity, timeout: timeout)
        let loop = group.next()
        let handshake = loop.makePromise(of: TLSEstablished.self)
        let joined = loop.makePromise(of: Void.self)
        let tls = TLSHandler(session: try clientContext.get().makeSession(credentials: credentials), isServer: false,
                             handshake: handshake)
        let client = HTTPClientHandler(host: relay.address, closed: OpenSSLExchange.closed)
        let target = invitation.endpoint(relay: relay.endpoint)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(TimeAmount(timeout))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RelaySessionJoin(key: invitation.key, joined: joined) { channel in
                            let sync = channel.pipeline.syncOperations
                            try sync.addHandler(tls)
                            try sync.addHTTPClientHandlers()
                            try sync.addHandler(client)
                        })
                    }
                }
                .connect(host: target.host, port: target.port).get()
        } catch {
            joined.fail(error)
            handshake.fail(error)
            throw HealthSyncError(.deviceNotFound, "Cannot reach the relay's session address \(target)", cause: "\(error)")
        }
        let late = HealthSyncError(.timedOut, "The connection through \(relay.address) took longer than \(timeout)")
        let timer = HandshakeWait.deadline(on: loop, in: answerWithin ?? timeout, unless: handshake) {
            let why: any Error = answerWithin == nil ? late : RelaySessionLost(error: late)
            joined.fail(why)
            handshake.fail(why)
            channel.close(promise: nil)
        }
        let established: TLSEstablished
        do {
            try await joined.futureResult.get()
            established = try await handshake.futureResult.get()
            timer.cancel()
        } catch {
            timer.cancel()
            handshake.fail(error)
            try? await channel.close()
            if error is RelaySessionLost { throw error }
            throw HealthSyncError.wrap(error, as: .protocolError, "The TLS handshake through \(relay.address) failed")
        }
        // No address to check the certificate's names against: identity is the pinned CA's alone.
        let info = Self.describe(established, crypto: crypto, anchor: anchor, role: .server, host: nil,
                                 remote: relay.address, at: clock.now())
        return PeerWireLink(OpenSSLExchange(channel: channel, info: info, refusal: tls.refusal))
    }

    /// Asks the relay, in protocol mode, for a session with `route.peer`.
    private func invitation(to route: RelayRoute, identity: TransportCredentials, timeout: Duration) async throws
        -> RelayInvitation {
        let relay = route.relay
        let control = try await RelayControl.open(relay, identity: identity, context: try relayContext.get(), crypto: crypto,
                                                  group: group, timeout: timeout)
        let invitation: RelayInvitation
        do {
            try await control.send(.connectRequest(id: route.peer.bytes))
            let answer = try await control.next(within: timeout)
            await control.close()
            switch answer {
            case .sessionInvitation(let value): invitation = value
            case .response(RelayMessage.Code.notFound, _):
                throw HealthSyncError(.deviceNotFound, "The device is not connected to the relay \(relay.address)",
                                      hint: "Is its daemon running with this relay in reach.relays? `healthsync status` there says.")
            case .response(let code, let text):
                throw HealthSyncError(.protocolError, "The relay \(relay.address) refused the connection (\(code): \(Printable.clean(text, maxLength: 200)))")
            default:
                throw HealthSyncError(.protocolError, "The relay \(relay.address) answered with something else than an invitation")
            }
        } catch {
            await control.close()
            throw error
        }
        // We asked, so we are the TLS client (the relay tells the other side it is the server).
        guard !invitation.serverSocket, invitation.key.count == 32 else {
            throw HealthSyncError(.protocolError, "The relay \(relay.address) sent an invitation that does not keep to the protocol")
        }
        return invitation
    }
}
