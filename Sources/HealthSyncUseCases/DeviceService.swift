import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The local, offline views of this device: paired devices, data types,
/// status, and clearing the keystore.
public struct DeviceService: Sendable {
    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    public func devices() throws -> DevicesReport {
        DevicesReport(devices: try deps.keyStore.peers().map(summary))
    }

    /// The catalogue, what is shared and what is stored (only the stored types with `presentOnly`).
    public func types(presentOnly: Bool = false) throws -> TypesReport {
        TypesReport(shared: Set(deps.sharedTypes), stored: try deps.sampleStore.countByType(), presentOnly: presentOnly)
    }

    /// Guide 000's status without the network: this device, its pairings,
    /// the enabled types and the version.
    public func status(stateDir: String) throws -> StatusReport {
        let loaded = try IdentityService(deps).ensureIdentity()
        let peers = try deps.keyStore.peers()
        return report(stateDir: stateDir, identity: loaded, peers: peers, summaries: try peers.map(summary))
    }

    /// `status(stateDir:)` with the identity's check (both certificates and
    /// both keys through OpenSSL's decoders) beside the peers' summaries
    /// (their certificates, the sample store's sync records): independent, and
    /// a command has two cores. A damaged identity is still the error told.
    public func concurrentStatus(stateDir: String) async throws -> StatusReport {
        async let identity = IdentityService(deps).ensureIdentity()
        let peers = Result { () throws -> ([PeerRecord], [DeviceSummary]) in
            let records = try deps.keyStore.peers()
            return (records, try records.map(summary))
        }
        let loaded = try await identity
        let (records, summaries) = try peers.get()
        return report(stateDir: stateDir, identity: loaded, peers: records, summaries: summaries)
    }

    private func report(stateDir: String, identity loaded: LoadedIdentity, peers: [PeerRecord],
                        summaries: [DeviceSummary]) -> StatusReport {
        let primary = peers.firstIndex { $0.role == .sharing } ?? peers.indices.first
        var report = StatusReport(
            paired: primary != nil, device: DeviceLine(name: deps.deviceName, deviceID: loaded.deviceID),
            peer: primary.map { summaries[$0] }, peers: summaries, secure: primary == nil ? "none" : "mTLS",
            fingerprint: primary.map { peers[$0].caFingerprint } ?? loaded.caCertificate.fingerprint,
            enabledTypes: deps.sharedTypes.count, version: deps.version, stateDir: stateDir,
            keystore: deps.keyStore.adapterName)
        if !deps.settings.relays.isEmpty || !deps.settings.discoveryServers.isEmpty {
            report.reachID = SyncthingDeviceID(certificateFingerprint: loaded.caCertificate.fingerprint).description
        }
        return report
    }

    /// `status`: what the disk says, or (unless `offline`) what the daemon
    /// serving this state directory says — it knows the same and more —
    /// with a live check of the paired sharing device.
    public func status(stateDir: String, daemon: DaemonClient, offline: Bool) async throws -> StatusReport {
        let local = try await concurrentStatus(stateDir: stateDir)
        if offline { return local }
        let report = (try? await daemon.status()) ?? local
        return report.with(live: await liveCheck())
    }

    /// Dials the paired sharing device over mutual TLS and asks its status:
    /// nil when this device reads from no one.
    public func liveCheck(host: String? = nil) async -> LiveCheck? {
        guard let peer = try? deps.keyStore.peers().first(where: { $0.role == .sharing }) else { return nil }
        return await liveCheck(peer: peer, host: host)
    }

    /// Dials `peer` (at `host`, else where it was last seen) and asks its status.
    public func liveCheck(peer: PeerRecord, host: String?) async -> LiveCheck? {
        let connector = PeerConnector(deps: deps)
        var address: String?
        let started = ContinuousClock.now
        do {
            address = try connector.candidates(for: peer, host: host).first?.0.description
            let reached = try await connector.reach(peer, host: host)
            address = reached.path.description
            try? deps.keyStore.savePeer(reached.peer)
            let link = reached.link
            let status = try await closing(link) { link in try await link.status(timeout: deps.settings.timeout) }
            let elapsed = ContinuousClock.now - started
            var clock: ErrorSummary?
            if let theirs = status.time {
                do { try ClockSkew.check(ours: deps.clock.now(), theirs: theirs, peer: peer.name) } catch {
                    clock = ErrorSummary(error)
                }
            }
            return LiveCheck(reachable: true, address: address,
                             milliseconds: Int(elapsed / .milliseconds(1)),
                             error: nil, clock: clock)
        } catch {
            let failure = HealthSyncError.wrap(error, as: .deviceNotFound, "The paired device did not answer")
            return LiveCheck(reachable: false, address: address, milliseconds: nil, error: ErrorSummary(failure))
        }
    }

    /// Deletes identity, CA, peers, revocations and token from the keystore.
    public func clearKeystore() throws -> ClearReport {
        let hadIdentity = try deps.keyStore.loadIdentity() != nil
        let peers = try deps.keyStore.peers().count
        try deps.keyStore.clear()
        deps.bus.publish(.keystoreCleared(peersRemoved: peers))
        return ClearReport(keystore: deps.keyStore.adapterName, location: deps.keyStore.location,
                           hadIdentity: hadIdentity, peersRemoved: peers)
    }

    private func summary(_ peer: PeerRecord) throws -> DeviceSummary {
        let expiry = try peer.clientCertificatePEM.map { pem -> Date in
            do { return try deps.crypto.parseCertificate(pem: pem).notAfter } catch {
                throw HealthSyncError(.keystoreCorrupt,
                                      "The client certificate of paired device \(peer.deviceID.short)... cannot be parsed")
            }
        }
        return DeviceSummary(record: peer, certificateExpiry: expiry, sync: try deps.sampleStore.syncRecord(for: peer.deviceID))
    }
}
