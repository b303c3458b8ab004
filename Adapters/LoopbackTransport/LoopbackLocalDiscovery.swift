import HealthSyncDomain
import HealthSyncPorts

/// The `LocalDiscovery` port in memory: daemons register their
/// announcement on the process's `LoopbackNetwork`; a probe to a port (any
/// host, as on one machine's loopback) finds the announcement there.
public struct LoopbackLocalDiscovery: LocalDiscovery {
    private let network: LoopbackNetwork

    public init(network: LoopbackNetwork) { self.network = network }

    public func broadcastTargets(port: Int) -> [Endpoint] { [Endpoint(host: "127.0.0.1", port: port)] }

    /// In memory every device is on this machine (unless a test gave it addresses).
    public func preferredAddress() -> String { network.localAddresses.first { !$0.contains(":") } ?? "127.0.0.1" }

    /// In memory there is no network beyond the loopback, unless a test says otherwise.
    public func localAddresses() -> [String] { network.localAddresses }

    /// Like the UDP probe: answers are looked up, nobody announces (`seen` is never called).
    public func answer(on endpoint: Endpoint, with announcement: DiscoveryAnnouncement,
                       seen: @escaping @Sendable (DiscoveredDevice) -> Void) async throws -> any DiscoveryListener {
        let (port, id) = try network.registerAnnouncement(port: endpoint.port, announcement)
        return LoopbackAnnouncementListener(network: network, endpoint: Endpoint(host: endpoint.host, port: port), id: id)
    }

    public func probe(_ targets: [Endpoint], timeoutMilliseconds: Int) async throws -> [DiscoveredDevice] {
        var found: [DiscoveredDevice] = []
        for target in targets {
            guard let announcement = network.announcement(port: target.port), announcement.isWellFormed,
                  !found.contains(where: { $0.announcement.deviceID == announcement.deviceID }) else { continue }
            found.append(DiscoveredDevice(announcement: announcement, host: "127.0.0.1"))
        }
        return found
    }
}

struct LoopbackAnnouncementListener: DiscoveryListener {
    let network: LoopbackNetwork
    let endpoint: Endpoint
    let id: Int

    func update(_ announcement: DiscoveryAnnouncement) async {
        network.updateAnnouncement(port: endpoint.port, id: id, announcement)
    }

    func close() async { network.unregisterAnnouncement(port: endpoint.port, id: id) }
}
