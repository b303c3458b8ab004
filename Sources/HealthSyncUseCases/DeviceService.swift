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

    public func types() -> TypesReport { TypesReport(shared: Set(deps.sharedTypes)) }

    /// Guide 000's status without the network: this device, its pairings,
    /// the enabled types and the version.
    public func status(stateDir: String) throws -> StatusReport {
        let loaded = try IdentityService(deps).ensureIdentity()
        let peers = try deps.keyStore.peers()
        let summaries = try peers.map(summary)
        let primary = peers.first { $0.role == .sharing } ?? peers.first
        return StatusReport(
            paired: primary != nil, device: DeviceLine(name: deps.deviceName, deviceID: loaded.deviceID),
            peer: try primary.map(summary), peers: summaries, secure: primary == nil ? "none" : "mTLS",
            fingerprint: primary?.caFingerprint ?? loaded.caCertificate.fingerprint,
            enabledTypes: deps.sharedTypes.count, version: deps.version, stateDir: stateDir,
            keystore: deps.keyStore.adapterName)
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
        return DeviceSummary(record: peer, certificateExpiry: expiry)
    }
}
