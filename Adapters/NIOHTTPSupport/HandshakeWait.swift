import HealthSyncDomain
import HealthSyncPorts
import NIOCore
import Synchronization

/// Waiting for a client's TLS handshake, the way every NIO adapter waits:
/// at most `timeout`, the channel closed when it fails or runs late.
public enum HandshakeWait {
    /// What `handshake` established on `channel`; `timedOut` when it took
    /// longer than `timeout`, else the handshake's own error wrapped as
    /// `PROTOCOL_ERROR` saying `failed`.
    public static func established(_ handshake: EventLoopPromise<TLSEstablished>, on channel: any Channel, timeout: Duration,
                                   timedOut: HealthSyncError, failed: String) async throws -> TLSEstablished {
        let deadline = Self.deadline(on: channel.eventLoop, in: timeout, unless: handshake) {
            handshake.fail(timedOut)
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            return try await handshake.futureResult.get()
        } catch {
            try? await channel.close()
            throw HealthSyncError.wrap(error, as: .protocolError, failed)
        }
    }

    /// Runs `expire` on `loop` after `delay`, unless `handshake` completed
    /// first. Both run on the loop, so a deadline that fires after the
    /// handshake succeeded, before the awaiting task resumes to cancel it,
    /// never closes the connection it is about to hand over.
    public static func deadline(on loop: any EventLoop, in delay: Duration, unless handshake: EventLoopPromise<TLSEstablished>,
                                _ expire: @escaping @Sendable () -> Void) -> Scheduled<Void> {
        let settled = Mutex(false)
        handshake.futureResult.whenComplete { _ in settled.withLock { $0 = true } }
        return loop.scheduleTask(in: TimeAmount(delay)) {
            guard !settled.withLock({ $0 }) else { return }
            expire()
        }
    }

    /// Whether the server's leaf is the certificate `id` pins (the SHA-256
    /// of its DER, as Syncthing pins its relays and discovery servers), and
    /// the ID of what it presented, for the message when it is not.
    public static func pins(_ established: TLSEstablished, to id: SyncthingDeviceID, crypto: any Crypto) -> (Bool, String) {
        let leaf = established.peerChainPEM.first.flatMap { try? crypto.parseCertificate(pem: $0) }
        guard let leaf else { return (false, "no certificate") }
        return (ConstantTime.equals(leaf.fingerprint.bytes, id.bytes), SyncthingDeviceID(certificateFingerprint: leaf.fingerprint).description)
    }
}
