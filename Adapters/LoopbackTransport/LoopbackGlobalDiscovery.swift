import HealthSyncDomain
import HealthSyncPorts

/// The `GlobalDiscovery` port in memory, at parity with
/// `SyncthingGlobalDiscovery`: every server URL names an in-memory server
/// on the network (up unless a test takes it down), which keeps what each
/// device announced, by the Syncthing ID of the certificate it presented.
public struct LoopbackGlobalDiscovery: GlobalDiscovery {
    private let network: LoopbackNetwork
    /// What an accepted announcement asks for, as `stdiscosrv` does.
    public static let reannounceAfter = Duration.seconds(1800)

    public init(network: LoopbackNetwork) { self.network = network }

    public func announce(_ addresses: [GlobalAddress], to server: ReachServer, identity: TransportCredentials,
                         timeout: Duration) async throws -> AnnouncementReceipt {
        try network.announce(addresses, for: SyncthingDeviceID(certificateFingerprint: identity.certificate.fingerprint),
                             on: server.endpoint)
        return AnnouncementReceipt(accepted: true, again: Self.reannounceAfter)
    }

    public func lookup(_ device: SyncthingDeviceID, on server: ReachServer, timeout: Duration) async throws -> [GlobalAddress] {
        Array(try network.lookup(device, on: server.endpoint).prefix(GlobalAddress.maxCount))
    }
}
