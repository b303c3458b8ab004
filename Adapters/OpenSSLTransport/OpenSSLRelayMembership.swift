import HealthSyncDomain
import HealthSyncPorts
import NIOCore
import NIOHTTPSupport
import NIOPosix
import Synchronization

/// This device's permanent place on a Syncthing relay. While `ended()` is
/// awaited it pings the relay (twice per ping interval), answers its pings,
/// and serves every session invitation: a plain TCP connection to the
/// session address, `JoinSessionRequest`, then the same server pipeline a
/// listener gives an accepted connection (TLS server, deadlines, HTTP).
final class OpenSSLRelayMembership: RelayMembership {
    private let control: RelayControl
    private let pipeline: ServerPipeline
    private let group: any EventLoopGroup
    private struct State {
        var lastHeard = ContinuousClock.now
        var joining = 0
        var closed = false
    }
    private let state = Mutex(State())

    /// At most this many sessions are being joined at once: a relay that
    /// floods invitations gets no more sockets than that.
    static let maxJoining = 16
    static let joinTimeout = Duration.seconds(10)

    init(control: RelayControl, pipeline: ServerPipeline, group: any EventLoopGroup) {
        self.control = control
        self.pipeline = pipeline
        self.group = group
    }

    func ended() async -> HealthSyncError {
        let relay = control.relay
        let result: HealthSyncError = await withTaskGroup(of: HealthSyncError?.self) { tasks in
            tasks.addTask { await self.keepAlive() }
            tasks.addTask { await self.readInvitations() }
            let first = await tasks.next() ?? nil
            tasks.cancelAll()
            await control.close()
            return first ?? HealthSyncError(.deviceNotFound, "The relay \(relay.address) closed the connection")
        }
        pipeline.closeAll()
        return result
    }

    func close() async {
        state.withLock { $0.closed = true }
        await control.close()
        pipeline.closeAll()
    }

    /// Pings twice per interval; gives up when nothing was heard for two intervals.
    private func keepAlive() async -> HealthSyncError? {
        let interval = control.relay.pingInterval
        while !Task.isCancelled {
            try? await Task.sleep(for: interval / 2)
            guard !Task.isCancelled else { return nil }
            let silent = state.withLock { ContinuousClock.now - $0.lastHeard }
            if silent > interval * 2 {
                return HealthSyncError(.timedOut, "The relay \(control.relay.address) stopped answering pings")
            }
            do { try await control.send(.ping) } catch { return HealthSyncError.wrap(error, as: .deviceNotFound, "") }
        }
        return nil
    }

    private func readInvitations() async -> HealthSyncError? {
        do {
            for try await message in control.messages {
                state.withLock { $0.lastHeard = .now }
                switch message {
                case .ping: try await control.send(.pong)
                case .sessionInvitation(let invitation): accept(invitation)
                default: continue  // pongs, and anything a relay should not send here, change nothing
                }
            }
        } catch {
            return HealthSyncError.wrap(error, as: .protocolError, "The relay \(control.relay.address) sent something malformed")
        }
        let closed = state.withLock { $0.closed }
        return closed ? HealthSyncError(.deviceNotFound, "Left the relay \(control.relay.address)")
            : HealthSyncError(.deviceNotFound, "The relay \(control.relay.address) closed the connection")
    }

    /// Joins the session the relay invited us to and serves it. We are the
    /// device that was asked for, so the TLS server: an invitation that
    /// says otherwise did not come from a relay keeping to the protocol.
    private func accept(_ invitation: RelayInvitation) {
        guard invitation.serverSocket, invitation.key.count == 32 else { return }
        let admitted = state.withLock { state -> Bool in
            guard state.joining < Self.maxJoining else { return false }
            state.joining += 1
            return true
        }
        guard admitted else { return }
        let loop = group.next()
        let joined = loop.makePromise(of: Void.self)
        joined.futureResult.whenComplete { _ in self.state.withLock { $0.joining -= 1 } }
        let pipeline = self.pipeline, source = control.relay.address
        let target = invitation.endpoint(relay: control.relay.endpoint)
        RelayDial.bootstrap(on: loop, timeout: Self.joinTimeout) { sync in
            try sync.addHandler(RelaySessionJoin(key: invitation.key, joined: joined) {
                try pipeline.install(on: $0, source: source)
            })
        }
            .connect(host: target.host, port: target.port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    let timer = loop.scheduleTask(in: TimeAmount(Self.joinTimeout)) { channel.close(promise: nil) }
                    joined.futureResult.whenComplete { _ in timer.cancel() }
                case .failure(let error):
                    joined.fail(error)
                }
            }
    }
}
