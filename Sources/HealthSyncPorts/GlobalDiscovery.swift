import HealthSyncDomain

/// What a discovery server said to an announcement: whether it took it,
/// and when to announce again (`Reannounce-After`, or `Retry-After` when it
/// found us too eager).
public struct AnnouncementReceipt: Sendable, Equatable {
    public let accepted: Bool
    public let again: Duration

    public init(accepted: Bool, again: Duration) {
        self.accepted = accepted
        self.again = again
    }
}

/// A global discovery server (Syncthing's protocol v3): where a device
/// says at which addresses it can be reached, and where its paired devices
/// ask, by its Syncthing-form device ID, when no address they know
/// answers. The server is not trusted: it can only point at addresses,
/// and whoever answers there is judged by the trust policy.
///
/// Throws only `HealthSyncError`: `DEVICE_NOT_FOUND` when the server cannot
/// be reached, `ETIMEDOUT` when it does not answer in time,
/// `FINGERPRINT_MISMATCH` when its certificate is not the one `server.id`
/// pins, `PROTOCOL_ERROR` when it refuses or answers malformed.
public protocol GlobalDiscovery: Sendable {
    /// Announces `addresses` for the device `identity`'s certificate names
    /// (the server derives the ID from the certificate; none is sent), and
    /// says when to announce again. A server that asks us to slow down
    /// (HTTP 429) is a receipt with `accepted == false`, not an error.
    func announce(_ addresses: [GlobalAddress], to server: ReachServer, identity: TransportCredentials,
                  timeout: Duration) async throws -> AnnouncementReceipt

    /// The addresses `server` holds for `device` (at most
    /// `GlobalAddress.maxCount`, unparseable ones left out); empty when it
    /// knows none (HTTP 404).
    func lookup(_ device: SyncthingDeviceID, on server: ReachServer, timeout: Duration) async throws -> [GlobalAddress]
}
