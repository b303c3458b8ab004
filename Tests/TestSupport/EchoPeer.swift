import Foundation
import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// A `PeerRequests` for transport tests that tells the caller what the
/// serving side saw: `status` names the channel binding (hex), the client's
/// leaf (none: `NO_CLIENT_CERTIFICATE`) and where the handler ran; `samples` waits `limit` milliseconds
/// (for timeouts and concurrency) and answers an empty page; `renewCertificate`
/// echoes its CSR (for size bounds); the pairing steps are refused.
public struct EchoPeer: PeerRequests {
    /// Whether clients without a certificate of ours may connect (as while pairing).
    public let admitsClientsWithoutCertificate: Bool
    /// The handshake refusals the transport told of.
    public let refusals = Refusals()

    /// What a transport said it refused, kept for the test to read.
    public final class Refusals: Sendable {
        private let list = Mutex<[HealthSyncError]>([])
        public var all: [HealthSyncError] { list.withLock { $0 } }
        func append(_ error: HealthSyncError) { list.withLock { $0.append(error) } }
    }

    public init(admitsClientsWithoutCertificate: Bool = true) {
        self.admitsClientsWithoutCertificate = admitsClientsWithoutCertificate
    }

    public func handshakeRefused(from address: String, reason: HealthSyncError) { refusals.append(reason) }

    public func status(from peer: ConnectionInfo) async throws -> PeerStatus {
        guard let leaf = peer.peer.leaf else { throw HealthSyncError(.noClientCertificate) }
        return PeerStatus(name: Hex.encode(peer.channelBinding), deviceID: leaf.publicKeyID, version: handlerWorker(),
                          sharedTypes: [])
    }

    public func samples(_ query: SampleQuery, from peer: ConnectionInfo) async throws -> SamplePage {
        try await Task.sleep(for: .milliseconds(query.limit))
        return SamplePage(samples: [], nextCursor: nil)
    }

    public func renewCertificate(_ request: RenewalRequest, from peer: ConnectionInfo) async throws -> RenewalReply {
        RenewalReply(certificate: request.csr, serverTime: request.clientTime)
    }

    public func changes(after: Int64, limit: Int, wait: Duration, schema: Int, from peer: ConnectionInfo) async throws -> SampleChanges {
        SampleChanges(samples: [], last: after, more: false)
    }

    public func unpair(from peer: ConnectionInfo) async throws {}

    public func pairWithToken(_ request: PairingMessage.TokenRequest, from peer: ConnectionInfo) async throws -> PairingMessage.Exchange {
        throw HealthSyncError(.pairingTokenExpired)
    }

    public func codeParameters(from peer: ConnectionInfo) async throws -> PairingMessage.CodeParameters {
        throw HealthSyncError(.pairingTokenExpired)
    }

    public func codeShare(_ share: PairingMessage.CodeShare, from peer: ConnectionInfo) async throws -> PairingMessage.CodeShareReply {
        throw HealthSyncError(.pairingTokenExpired)
    }

    public func codeConfirm(_ confirm: PairingMessage.CodeConfirm, from peer: ConnectionInfo) async throws -> PairingMessage.Exchange {
        throw HealthSyncError(.pairingTokenExpired)
    }

    public func finishPairing(_ finish: PairingMessage.Finish, from peer: ConnectionInfo) async throws {
        throw HealthSyncError(.pairingTokenExpired)
    }
}

/// "worker N" on one of the handler threads (they mark their thread
/// dictionary), else "elsewhere".
public func handlerWorker() -> String {
    (Thread.current.threadDictionary["healthsync.handler-worker"] as? Int).map { "worker \($0)" } ?? "elsewhere"
}
