import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// `sync`: pulls what is new or changed on every paired device into the
/// local sample store, resuming where the last sync from each stopped.
/// Trust is mutual, so either side of a pairing reads the other (what each
/// shares is its own `share.types`); an identical sample is not a change, so
/// what came from a device and goes back to it stops there.
public struct SyncService: Sendable {
    static let pageSize = SampleChanges.maxLimit

    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// Syncs from the device `selector` names, or from every paired device
    /// (the devices we joined first). A device that cannot be reached is reported and the others
    /// still sync; when none could be, the first failure is thrown.
    /// `host`, for one device (the one `selector` names, or the only one),
    /// is the only address tried.
    public func sync(_ selector: String? = nil, host: String? = nil) async throws -> SyncReport {
        let peers = try deps.keyStore.peers()
        if host != nil, selector == nil, peers.count > 1 {
            throw HealthSyncError(.invalidArgument, "--host needs the device it is for",
                                  hint: "Name it: `healthsync sync <device> --host <address>`.")
        }
        let targets = try selector.map { [try DeviceSelector.find($0, in: peers)] }
            ?? peers.filter { $0.role == .sharing } + peers.filter { $0.role == .joined }
        guard !targets.isEmpty else {
            throw HealthSyncError(.notPaired, "This device is not paired with any device",
                                  hint: "Pair with the sharing device first: `healthsync pair --code <code> --host <address>`.")
        }
        var entries: [SyncReport.Entry] = []
        var failures: [HealthSyncError] = []
        for peer in targets {
            do {
                entries.append(try await sync(from: peer, host: host))
            } catch {
                let failure = HealthSyncError.wrap(error, as: .deviceNotFound, "Syncing from \(peer.name) failed")
                failures.append(failure)
                entries.append(SyncReport.Entry(name: peer.name, deviceID: peer.deviceID, received: 0,
                                                position: (try? deps.sampleStore.syncPosition(for: peer.deviceID)) ?? 0,
                                                error: ErrorSummary(failure)))
            }
        }
        if failures.count == targets.count, let first = failures.first { throw first }
        return SyncReport(devices: entries)
    }

    private func sync(from record: PeerRecord, host: String?) async throws -> SyncReport.Entry {
        let connector = PeerConnector(deps: deps)
        let reached = try await connector.reach(record, host: host)
        return try await closing(reached.link) { link in
            try await connector.repairing(record) {
                try await sync(from: reached.peer, at: reached.path, over: link, connector: connector)
            }
        }
    }

    private func sync(from record: PeerRecord, at path: PeerPath, over link: any PeerLink,
                      connector: PeerConnector) async throws -> SyncReport.Entry {
        let (_, received, position) = try await pull(from: record, over: link, wait: .zero)
        let peer = try await connector.recordUse(of: record, at: path, over: link)
        return SyncReport.Entry(name: peer.name, deviceID: peer.deviceID, received: received, position: position, error: nil)
    }

    /// Stores every change `record` has after our position, page by page,
    /// saving the position after each (an interrupted sync resumes where it
    /// stopped). The first request waits up to `wait` for a change (a long
    /// poll); the pages after it do not. In a command (`bulkFirstSync`), a
    /// first sync of several pages into an empty store is written as a first
    /// import is: in one transaction on the store's writer thread, its indexes
    /// built at its end (100 000 samples: a fifth faster; interrupted, it
    /// stores nothing and the next sync starts over).
    /// Returns how many samples came, how many of them were new or changed
    /// here, and the position reached.
    func pull(from record: PeerRecord, over link: any PeerLink,
              wait: Duration) async throws -> (sent: Int, received: Int, position: Int64) {
        var position = try deps.sampleStore.syncPosition(for: record.deviceID)
        var sent = 0, received = 0
        let started = deps.clock.now()
        func progress(finished: Bool = false) {
            deps.bus.publish(.progress(TaskProgress(task: "sync \(record.name)", done: Int64(sent), total: nil, unit: .samples,
                                                    elapsed: deps.clock.now().timeIntervalSince(started), finished: finished)))
        }
        defer { if sent > 0 { progress(finished: true) } }
        /// Each page from `first` on, checked to move forward, given to `store`
        /// while the next is asked for: the peer reads and sends it while this
        /// device writes (one request at a time still).
        func pages(from first: SampleChanges, _ store: (SampleChanges) throws -> Void) async throws {
            var next = first
            while true {
                let changes = next
                guard changes.samples.count <= Self.pageSize, changes.last >= position,
                      changes.last > position || (changes.samples.isEmpty && !changes.more) else {
                    throw HealthSyncError(.protocolError, "\(record.name) sent a page of changes that does not move forward")
                }
                async let following = changes.more
                    ? link.changes(after: changes.last, limit: Self.pageSize, wait: .zero, timeout: deps.settings.timeout) : nil
                try store(changes)
                sent += changes.samples.count
                position = changes.last
                guard let upcoming = try await following else { break }
                progress()
                next = upcoming
            }
        }
        let first = try await link.changes(after: position, limit: Self.pageSize, wait: wait, timeout: deps.settings.timeout)
        if deps.settings.bulkFirstSync, position == 0, first.more, try deps.sampleStore.latestSequence() == 0 {
            let counts = try await deps.sampleStore.upsertStream(repeatsAfter: .max) { write in
                try await pages(from: first) { try write($0.samples) }
            }
            received = counts.inserted + counts.updated
            try deps.sampleStore.setSyncPosition(position, for: record.deviceID, at: deps.clock.now(), received: received)
        } else {
            try await pages(from: first) { changes in
                // Counted as stored: what came from here and comes back is not new.
                received += try deps.sampleStore.upsert(changes.samples, syncedTo: changes.last, from: record.deviceID,
                                                        at: deps.clock.now())
            }
        }
        if received > 0 { deps.bus.publish(.samplesFetched(from: record.deviceID, count: received)) }
        return (sent, received, position)
    }
}
