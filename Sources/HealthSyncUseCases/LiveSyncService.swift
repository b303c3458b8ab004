import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// The daemon keeps one mutual-TLS connection to each paired device and
/// long-polls it for changes, so new or changed samples there arrive here
/// within moments instead of on the next timer. A device that cannot be
/// reached is tried again when discovery hears it, else after a pause that
/// doubles up to `maxPause`. Devices paired while it runs are picked up from
/// the keystore; a device unpaired is let go.
struct LiveSyncService: ApplicationService {
    let name = "live sync"
    let deps: Dependencies
    let sightings: PeerSightings
    /// How often the keystore is read for devices paired meanwhile.
    var rescan: Duration = .seconds(2)
    var maxPause: Duration = .seconds(60)

    func run() async throws {
        let watching = Watching()
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let peers = (try? deps.keyStore.peers()) ?? []
                sightings.track(Set(peers.map(\.deviceID)))
                for peer in peers where watching.start(peer.deviceID) {
                    group.addTask {
                        await watch(peer.deviceID)
                        // Unpaired: a new pairing with it starts another watch.
                        watching.end(peer.deviceID)
                    }
                }
                try? await Task.sleep(for: rescan)
            }
            group.cancelAll()
        }
    }

    /// Syncs from one device for as long as it stays paired.
    private func watch(_ id: DeviceID) async {
        var pause: Duration = .seconds(1)
        var reported: String?
        while !Task.isCancelled {
            guard var peer = try? deps.keyStore.peers().first(where: { $0.deviceID == id }) else { return }
            let heard = sightings.count(id)
            // Where discovery heard it is worth keeping (a hint for every later command).
            if let address = sightings.address(id), !peer.addresses.contains(where: { $0.address == address }) {
                peer.learn(address, from: .discovery, at: deps.clock.now())
                try? deps.keyStore.savePeer(peer)
            }
            do {
                try await follow(peer)
                pause = .seconds(1)
            } catch is CancellationError {
                return
            } catch let error as HealthSyncError where error.code == .notPaired {
                // PeerConnector.repairing removed our side: nothing left to follow.
                return
            } catch {
                // One line per kind of trouble, not one per retry.
                let failure = "\(error)"
                if reported != failure {
                    reported = failure
                    deps.bus.publish(.failed(HealthSyncError.wrap(error, as: .deviceNotFound,
                                                                  "Live sync from \(peer.name) paused; retrying when it is seen")))
                }
            }
            await sightings.wait(for: id, after: heard, upTo: pause)
            pause = min(pause * 2, maxPause)
        }
    }

    /// Connects, catches up, then long-polls until the connection fails, or
    /// until the device is heard at another address and a new connection to
    /// the one in use fails (a connection to an address that is gone would
    /// only time out): then it ends, so that the next goes where it is now.
    private func follow(_ peer: PeerRecord) async throws {
        let connector = PeerConnector(deps: deps)
        let heard = sightings.count(peer.deviceID)
        let reached = try await connector.reach(peer, host: nil)
        let moved = Task { [sightings, deps] in
            var after = heard
            while !Task.isCancelled {
                await sightings.waitForSighting(of: peer.deviceID, awayFrom: reached.path.description, after: after)
                after = sightings.count(peer.deviceID)
                if Task.isCancelled { return }
                // Relayed, a device heard on this network is worth a direct connection.
                guard case .direct(let endpoint) = reached.path else {
                    await reached.link.close()
                    return
                }
                let probe = try? await connector.connect(to: peer, at: endpoint,
                                                         timeout: min(deps.settings.timeout, .seconds(2)))
                guard let probe else {
                    await reached.link.close()
                    return
                }
                await probe.close()
            }
        }
        defer { moved.cancel() }
        // A long poll does not end when its task is cancelled (the daemon
        // stopping): closing the link ends it at once.
        try await withTaskCancellationHandler {
            try await poll(peer, reached, connector)
        } onCancel: {
            Task { await reached.link.close() }
        }
    }

    /// Catches up with `reached`, then long-polls it while it stays paired.
    private func poll(_ peer: PeerRecord, _ reached: PeerConnector.Reached, _ connector: PeerConnector) async throws {
        try await closing(reached.link) { link in
            try await connector.repairing(peer) {
                let sync = SyncService(deps)
                _ = try await sync.pull(from: reached.peer, over: link, wait: .zero)
                var record = try await connector.recordUse(of: reached.peer, at: reached.path, over: link)
                var renewed = ContinuousClock.now
                while !Task.isCancelled {
                    let asked = ContinuousClock.now
                    let (sent, _, _) = try await sync.pull(from: record, over: link, wait: SampleChanges.maxWait)
                    // A peer from before long polls answers at once with nothing: ask it no faster than a poll would wait.
                    if sent == 0, ContinuousClock.now - asked < SampleChanges.maxWait / 2 {
                        try await Task.sleep(for: SampleChanges.maxWait)
                    }
                    guard (try? deps.keyStore.peers().contains(where: { $0.deviceID == peer.deviceID })) == true else { return }
                    if ContinuousClock.now - renewed > .seconds(3600) {
                        record = try await connector.recordUse(of: record, at: reached.path, over: link)
                        renewed = ContinuousClock.now
                    }
                }
            }
        }
    }
}

/// The devices being watched.
private final class Watching: Sendable {
    private let ids = Mutex<Set<DeviceID>>([])

    /// Whether `id` was not watched yet (and now is).
    func start(_ id: DeviceID) -> Bool { ids.withLock { $0.insert(id).inserted } }
    func end(_ id: DeviceID) { _ = ids.withLock { $0.remove(id) } }
}
