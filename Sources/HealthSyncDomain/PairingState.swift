import FoundationEssentials

/// Where the sharing device's pairing stands.
public enum PairingState: Sendable, Equatable {
    case idle
    case waiting(code: String, expiresAt: Date)
    /// A joiner proved the code; the sharing user must accept or reject.
    case pending(name: String, deviceID: DeviceID, checkNumber: String)
    /// Accepted (or proven by token): certificates are being exchanged.
    case exchanging(name: String)
}

/// How the latest pairing session ended, kept until the next one starts so
/// a client polling the daemon learns the result.
public enum PairingOutcome: Sendable, Equatable {
    case paired(name: String, deviceID: DeviceID)
    case failed(HealthSyncError)
}
