import HealthSyncDomain

/// Where this device keeps its identity, its CA, its paired devices, the
/// serials it revoked and the control-API token.
///
/// Every method throws only `HealthSyncError`. Stored data that cannot be
/// read is reported as `KEYSTORE_CORRUPT` naming the file or table, and
/// unsafe permissions as `KEYSTORE_PERMISSIONS`; a damaged identity is never
/// reported as a missing one (that would silently regenerate it). Every
/// write is atomic: after a crash the store holds the old or the new state,
/// never a mix.
public protocol KeyStore: Sendable {
    /// The adapter's name in configuration (`file`, `sqlite`, `memory`).
    var adapterName: String { get }
    /// Where the data lives, for reports ("/home/me/.local/share/healthsync").
    var location: String { get }

    /// The identity, or nil when none has been created yet.
    func loadIdentity() throws -> DeviceIdentity?
    /// Stores `identity` unless one exists already; returns the identity now
    /// stored (the existing one wins, so two processes agree on one identity).
    func createIdentityIfAbsent(_ identity: DeviceIdentity) throws -> DeviceIdentity
    /// Replaces the server certificate of the stored identity (renewal;
    /// the caller checked it is for the identity's key and CA). Keys, CA
    /// and device ID stay. `KEYSTORE_CORRUPT` when there is no identity.
    func replaceServerCertificate(_ pem: String) throws

    /// All paired devices, ordered by device ID.
    func peers() throws -> [PeerRecord]
    /// Inserts or replaces the record with the same device ID.
    func savePeer(_ peer: PeerRecord) throws
    /// Removes a paired device; returns the removed record, nil if unknown.
    func removePeer(_ deviceID: DeviceID) throws -> PeerRecord?

    /// Every serial this device's CA revoked.
    func revokedCertificates() throws -> [RevokedCertificate]
    /// Adds revocations (serials already revoked are kept once).
    func revoke(_ certificates: [RevokedCertificate]) throws

    /// The control-API token, nil before the daemon first creates one.
    func apiToken() throws -> SecretBytes?
    func setAPIToken(_ token: SecretBytes) throws

    /// Deletes everything this store holds. Afterwards `loadIdentity()` is nil.
    func clear() throws
}
