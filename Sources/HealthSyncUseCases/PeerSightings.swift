import FoundationEssentials
import HealthSyncDomain
import Synchronization

/// What the daemon's discovery hears of paired devices: where each was
/// heard last, and a count that whoever waits for that device watches, so
/// a device that appears, comes back or moves is synced from at once.
///
/// `saw` runs on discovery's event loop for every packet, from anyone on
/// the network: it only touches memory, and only for the devices `track`
/// named (the paired ones), so a flood of made-up devices costs nothing.
/// The watcher of a device writes what was heard to the keystore.
final class PeerSightings: Sendable {
    private struct Heard {
        var count = 0
        var address: String?
    }

    private let heard = Mutex<[DeviceID: Heard]>([:])

    /// From now on, only these devices are listened for.
    func track(_ ids: Set<DeviceID>) {
        heard.withLock { state in
            state = state.filter { ids.contains($0.key) }
            for id in ids where state[id] == nil { state[id] = Heard() }
        }
    }

    /// Called by discovery for every device heard.
    func saw(_ device: DiscoveredDevice) {
        let id = device.announcement.deviceID
        let address = Endpoint(host: device.host, port: device.announcement.port).description
        heard.withLock { state in
            guard state[id] != nil else { return }
            state[id]!.count += 1
            state[id]!.address = address
        }
    }

    /// How many times `id` was heard so far.
    func count(_ id: DeviceID) -> Int { heard.withLock { $0[id]?.count ?? 0 } }

    /// Where `id` was heard last (`host:port`).
    func address(_ id: DeviceID) -> String? { heard.withLock { $0[id]?.address } }

    /// Returns when `id` is heard after `count` was read, or after `limit`.
    /// Looks every quarter second: a local counter, no network.
    func wait(for id: DeviceID, after count: Int, upTo limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while !Task.isCancelled, ContinuousClock.now < deadline, self.count(id) == count {
            try? await Task.sleep(for: min(.milliseconds(250), deadline - ContinuousClock.now))
        }
    }

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
}
