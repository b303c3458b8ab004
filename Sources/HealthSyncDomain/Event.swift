import FoundationEssentials

/// Everything that happens, published on the bus by the use cases. Presenters
/// render these; tests subscribe to them.
public enum Event: Sendable, Equatable {
    case identityCreated(DeviceID)
    case keystoreCleared(peersRemoved: Int)
    case configChanged(key: String, value: String)
    case samplesGenerated(count: Int, days: Int)
    /// Where a long-running command listens, with the pairing code and QR
    /// payload it offers (each time it offers a new one).
    case listening(ListeningReport)
    case pairingCodeIssued(code: String, expiresAt: Date)
    case pairingRequestPending(name: String, deviceID: DeviceID, checkNumber: String)
    /// The joiner's side of the check number, shown while the sharing user decides.
    case pairingCheckNumber(String)
    case pairingCancelled
    /// One joiner's attempt was refused (a wrong code or proof, a malformed
    /// share); the session goes on.
    case pairingAttemptFailed(PairingFailure)
    case pairingAccepted(DeviceID)
    case pairingRejected(DeviceID)
    case paired(name: String, deviceID: DeviceID)
    case unpaired(DeviceID)
    case samplesServed(to: DeviceID, count: Int)
    case samplesFetched(from: DeviceID, count: Int)
    /// A paired device did not answer where it was expected and was reached
    /// at another address it was known or found at.
    case peerMoved(PeerMove)
    /// A certificate was renewed before it expired: ours from a peer's CA
    /// (`issuedBy`), or one our CA issued to a peer, or our server's.
    case certificateRenewed(CertificateRenewal)
    /// The daemon joined a relay (`reach.relays`) or a discovery server took
    /// its addresses (`reach.discovery`), said once per change, as `server`
    /// (`relay://host:port`, `https://host:port`) with what it now holds.
    case reachServerJoined(server: String, addresses: [String])
    /// `--debug-tls`: a connection's parameters and the peer's chain.
    case connectionDetails(ConnectionReport)
    /// A paired device's request passed the trust policy (for the daemon's log).
    case requestAccepted(from: String, deviceID: DeviceID)
    /// A request was refused by the trust policy (revoked, unknown, expired…), with why.
    case requestRefused(from: String, error: HealthSyncError)
    /// How far a long task has come (for a progress bar on a terminal).
    case progress(TaskProgress)
    case failed(HealthSyncError)
}
