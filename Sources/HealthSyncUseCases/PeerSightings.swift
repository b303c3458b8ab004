import FoundationEssentials
import HealthSyncDomain
import Synchronization

/// What the daemon's discovery hears of paired devices: a paired device
/// heard at an address it was not known at has that address noted (a hint
/// for the next connection), and whoever waits for that device is woken,
/// so a device that appears or comes back is synced from at once.
final class PeerSightings: Sendable {
    private let deps: Dependencies
    /// How many times each device was heard, and where last; a waiter
    /// watches the count move.
    private let heard = Mutex<[DeviceID: (count: Int, address: String)]>([:])

    init(_ deps: Dependencies) { self.deps = deps }

    /// Called by discovery for every device heard (from its event loop: no waiting here).
    func saw(_ device: DiscoveredDevice) {
        let id = device.announcement.deviceID
        let address = Endpoint(host: device.host, port: device.announcement.port).description
        guard var peer = try? deps.keyStore.peers().first(where: { $0.deviceID == id }) else { return }
        if !peer.addresses.contains(where: { $0.address == address }) {
            peer.learn(address, from: .discovery, at: deps.clock.now())
            try? deps.keyStore.savePeer(peer)
        }
        heard.withLock { $0[id] = (($0[id]?.count ?? 0) + 1, address) }
    }

    /// How many times `id` was heard so far.
    func count(_ id: DeviceID) -> Int { heard.withLock { $0[id]?.count ?? 0 } }

    /// Where `id` was heard last (`host:port`).
    func address(_ id: DeviceID) -> String? { heard.withLock { $0[id]?.address } }

    /// Returns once `id` is heard somewhere other than `address` (heard
    /// since `after`, a count read earlier).
    func waitForSighting(of id: DeviceID, awayFrom address: String, after: Int) async {
        var count = after
        while !Task.isCancelled {
            await wait(for: id, after: count, upTo: .seconds(3600))
            count = self.count(id)
            if let last = self.address(id), last != address { return }
        }
    }

    /// Returns when `id` is heard after `count` was read, or after `limit`.
    /// Looks every quarter second: a local counter, no network.
    func wait(for id: DeviceID, after count: Int, upTo limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while !Task.isCancelled, ContinuousClock.now < deadline, self.count(id) == count {
            try? await Task.sleep(for: min(.milliseconds(250), deadline - ContinuousClock.now))
        }
    }
}
