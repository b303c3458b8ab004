import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// `sync`: pulls what is new or changed on every paired sharing device into
/// the local sample store, resuming where the last sync from each stopped.
public struct SyncService: Sendable {
    static let pageSize = 5000

    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// Syncs from the device `selector` names, or from every paired sharing
    /// device. A device that cannot be reached is reported and the others
    /// still sync; when none could be, the first failure is thrown.
    public func sync(_ selector: String? = nil) async throws -> SyncReport {
        let peers = try deps.keyStore.peers()
        let targets = try selector.map { [try DeviceSelector.find($0, in: peers)] } ?? peers.filter { $0.role == .sharing }
        guard !targets.isEmpty else {
            throw HealthSyncError(.notPaired, "No paired device shares data with this one",
                                  hint: "Pair with the sharing device first: `healthsync pair --code <code> --host <address>`.")
        }
        var entries: [SyncReport.Entry] = []
        var failures: [HealthSyncError] = []
        for peer in targets {
            do {
                entries.append(try await sync(from: peer))
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

    private func sync(from record: PeerRecord) async throws -> SyncReport.Entry {
        let connector = PeerConnector(deps: deps)
        let endpoint = try connector.endpoint(for: record, host: nil)
        let link = try await connector.connect(to: record, at: endpoint)
        return try await closing(link) { link in
            try await connector.repairing(record) { try await sync(from: record, at: endpoint, over: link, connector: connector) }
        }
    }

    private func sync(from record: PeerRecord, at endpoint: Endpoint, over link: any PeerLink,
                      connector: PeerConnector) async throws -> SyncReport.Entry {
        var position = try deps.sampleStore.syncPosition(for: record.deviceID)
        var received = 0
        while true {
            let changes = try await link.changes(after: position, limit: Self.pageSize, timeout: deps.settings.timeout)
            guard changes.samples.count <= Self.pageSize, changes.last >= position,
                  changes.last > position || (changes.samples.isEmpty && !changes.more) else {
                throw HealthSyncError(.protocolError, "\(record.name) sent a page of changes that does not move forward")
            }
            try deps.sampleStore.upsert(changes.samples)
            // Saved after each page, so an interrupted sync resumes where it stopped.
            try deps.sampleStore.setSyncPosition(changes.last, for: record.deviceID)
            received += changes.samples.count
            position = changes.last
            if !changes.more { break }
        }
        let peer = try await connector.recordUse(of: record, at: endpoint, over: link)
        if received > 0 { deps.bus.publish(.samplesFetched(from: peer.deviceID, count: received)) }
        return SyncReport.Entry(name: peer.name, deviceID: peer.deviceID, received: received, position: position, error: nil)
    }
}
