import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// `discover`: probes the local network for HealthSync daemons and, when
/// asked, dials each paired sharing device at its known address.
public struct DiscoveryService: Sendable {
    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// Asks `targets` (default: `discovery.targets`, else the adapter's
    /// multicast or broadcast groups) and waits `timeoutMilliseconds` for answers.
    public func discover(targets: [Endpoint]? = nil, timeoutMilliseconds: Int = 1000,
                         checkPaired: Bool = false) async throws -> DiscoverReport {
        guard (50...60_000).contains(timeoutMilliseconds) else {
            throw HealthSyncError(.invalidArgument, "--timeout must be between 50 and 60000 milliseconds")
        }
        let probed = targets ?? deps.discoveryTargets
        let ownID = try IdentityService(deps).ensureIdentity().deviceID
        let paired = Set(try deps.keyStore.peers().map(\.deviceID))
        let answers = try await deps.discovery.probe(probed, timeoutMilliseconds: timeoutMilliseconds)
        let found = answers.filter { $0.announcement.deviceID != ownID }.map { device in
            DiscoverReport.Found(name: device.announcement.name, deviceID: device.announcement.deviceID,
                                 address: Endpoint(host: device.host, port: device.announcement.port).description,
                                 version: device.announcement.version, paired: paired.contains(device.announcement.deviceID))
        }
        var checks: [DiscoverReport.PairedCheck]?
        if checkPaired {
            var results: [DiscoverReport.PairedCheck] = []
            for peer in try deps.keyStore.peers() where peer.role == .sharing {
                // A device that answered here may have moved: dial where it answered from.
                let seen = found.first { $0.deviceID == peer.deviceID }?.address
                if let check = await DeviceService(deps).liveCheck(peer: peer, host: seen) {
                    results.append(DiscoverReport.PairedCheck(name: peer.name, deviceID: peer.deviceID, check: check))
                }
            }
            checks = results
        }
        return DiscoverReport(probed: probed.map(\.description), found: found, paired: checks)
    }
}
