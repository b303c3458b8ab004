import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// The `KeyStore` port in memory, for tests and throw-away devices. Nothing
/// survives the process.
public final class MemoryKeyStore: KeyStore {
    private struct State {
        var identity: DeviceIdentity?
        var peers: [DeviceID: PeerRecord] = [:]
        var revoked: [RevokedCertificate] = []
        var token: SecretBytes?
    }

    public let adapterName = "memory"
    public let location = "memory"
    private let state = Mutex(State())

    public init() {}

    public func loadIdentity() throws -> DeviceIdentity? { state.withLock { $0.identity } }

    public func createIdentityIfAbsent(_ identity: DeviceIdentity) throws -> DeviceIdentity {
        state.withLock { state in
            if let existing = state.identity { return existing }
            state.identity = identity
            return identity
        }
    }

    public func replaceServerCertificate(_ pem: String) throws {
        try state.withLock { state in
            guard let old = state.identity else {
                throw HealthSyncError(.keystoreCorrupt, "There is no identity whose server certificate could be replaced")
            }
            state.identity = DeviceIdentity(deviceID: old.deviceID, deviceKey: old.deviceKey, caKey: old.caKey,
                                            caCertificatePEM: old.caCertificatePEM, serverCertificatePEM: pem,
                                            createdAt: old.createdAt)
        }
    }

    public func peers() throws -> [PeerRecord] {
        state.withLock { $0.peers.values.sorted { $0.deviceID < $1.deviceID } }
    }

    public func savePeer(_ peer: PeerRecord) throws { state.withLock { $0.peers[peer.deviceID] = peer } }

    public func removePeer(_ deviceID: DeviceID) throws -> PeerRecord? {
        state.withLock { $0.peers.removeValue(forKey: deviceID) }
    }

    public func revokedCertificates() throws -> [RevokedCertificate] { state.withLock { $0.revoked } }

    public func revoke(_ certificates: [RevokedCertificate]) throws {
        state.withLock { state in
            let known = Set(state.revoked.map(\.serial))
            state.revoked += certificates.filter { !known.contains($0.serial) }
        }
    }

    public func apiToken() throws -> SecretBytes? { state.withLock { $0.token } }

    public func setAPIToken(_ token: SecretBytes) throws { state.withLock { $0.token = token } }

    public func clear() throws { state.withLock { $0 = State() } }
}
