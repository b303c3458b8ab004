import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Ends pairings: the peer leaves the allow-list, the certificates our CA
/// issued to it are revoked, and it is told when it can be reached.
public struct UnpairService: Sendable {
    public struct Outcome: Sendable, Equatable {
        public let name: String
        public let deviceID: DeviceID
        public let notified: Bool
    }

    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// Unpairs the device `selector` names, or every paired device.
    public func unpair(_ selector: String?, notify: Bool = true) async throws -> [Outcome] {
        let peers = try deps.keyStore.peers()
        let targets = try selector.map { [try DeviceSelector.find($0, in: peers)] } ?? peers
        var outcomes: [Outcome] = []
        for peer in targets {
            try forget(peer)
            outcomes.append(Outcome(name: peer.name, deviceID: peer.deviceID, notified: notify ? await tell(peer) : false))
        }
        return outcomes
    }

    /// `unpair`: through the running daemon when there is one, so it forgets
    /// the peer at once; else here.
    public func unpair(_ selector: String?, preferring daemon: DaemonClient) async throws -> UnpairReport {
        if let paired = try? await daemon.devices() {
            let selectors = selector.map { [$0] } ?? paired.devices.map(\.deviceID.hex)
            var entries: [UnpairReport.Entry] = []
            for selector in selectors { entries += try await daemon.unpair(selector).devices }
            return UnpairReport(devices: entries)
        }
        return try await report(selector)
    }

    /// Unpairs here, as a report.
    func report(_ selector: String?) async throws -> UnpairReport {
        let outcomes = try await unpair(selector)
        return UnpairReport(devices: outcomes.map { .init(name: $0.name, deviceID: $0.deviceID, notified: $0.notified) })
    }

    /// Removes the peer and revokes what we issued to it.
    func forget(_ peer: PeerRecord) throws {
        let now = deps.clock.now()
        try deps.keyStore.revoke(peer.issuedSerials.map { RevokedCertificate(serial: $0, deviceID: peer.deviceID, revokedAt: now) })
        _ = try deps.keyStore.removePeer(peer.deviceID)
        deps.bus.publish(.unpaired(peer.deviceID))
    }

    /// Best effort: a peer that cannot be reached finds out from `CERT_REVOKED`.
    private func tell(_ peer: PeerRecord) async -> Bool {
        let connector = PeerConnector(deps: deps)
        guard let link = try? await connector.reach(peer, host: nil).link else { return false }
        let told: Void? = try? await closing(link) { link in try await link.unpair(timeout: deps.settings.timeout) }
        return told != nil
    }
}
