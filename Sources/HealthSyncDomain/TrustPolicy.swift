import FoundationEssentials

/// What the crypto port found when it verified a presented chain against the
/// one CA that the connection must end at.
public enum ChainCheck: Sendable, Equatable {
    case verified
    case unknownIssuer
    case selfSignedInChain
    case badSignature
    case expired
    case notYetValid
    case hostMismatch
    case revoked
}

/// Everything a trust decision needs, with the time passed in.
public struct TrustContext: Sendable {
    /// The CA the peer's chain must end at: our own CA for incoming clients,
    /// the peer's pinned CA when we dial it.
    public let anchorFingerprint: SHA256Fingerprint
    public let allowList: [DeviceID: PeerRecord]
    public let revokedSerials: Set<String>
    /// Set when dialling a known peer: the certificate must name this device.
    public let expectedDeviceID: DeviceID?
    /// With `strict_host`, the presented certificate must name the address dialled.
    public let strictHost: Bool

    public init(anchorFingerprint: SHA256Fingerprint, allowList: [DeviceID: PeerRecord],
                revokedSerials: Set<String>, expectedDeviceID: DeviceID? = nil, strictHost: Bool = false) {
        self.anchorFingerprint = anchorFingerprint
        self.allowList = allowList
        self.revokedSerials = revokedSerials
        self.expectedDeviceID = expectedDeviceID
        self.strictHost = strictHost
    }
}

/// What a peer presented on a connection.
public struct PeerPresentation: Sendable {
    public let leaf: Certificate?
    /// The CA the verified chain ended at (nil when verification failed early).
    public let anchor: Certificate?
    public let chainCheck: ChainCheck
    /// Whether the leaf names the address dialled (only consulted with strict host).
    public let hostMatches: Bool

    public init(leaf: Certificate?, anchor: Certificate?, chainCheck: ChainCheck, hostMatches: Bool = true) {
        self.leaf = leaf
        self.anchor = anchor
        self.chainCheck = chainCheck
        self.hostMatches = hostMatches
    }
}

public enum TrustDecision: Sendable, Equatable {
    case trusted(PeerRecord)
    case noCertificate
    case unknownCA
    case selfSignedInChain
    case expired
    case notYetValid
    case revoked
    case notPaired
    case wrongDeviceID
    case hostMismatch

    /// The error a refused connection reports; nil when trusted.
    public var error: HealthSyncError? {
        switch self {
        case .trusted: return nil
        case .noCertificate: return HealthSyncError(.noClientCertificate)
        case .unknownCA: return HealthSyncError(.unableToVerifyLeafSignature)
        case .selfSignedInChain: return HealthSyncError(.selfSignedCertInChain)
        case .expired: return HealthSyncError(.certHasExpired)
        case .notYetValid: return HealthSyncError(.certNotYetValid)
        case .revoked: return HealthSyncError(.certRevoked)
        case .notPaired: return HealthSyncError(.notPaired)
        case .wrongDeviceID: return HealthSyncError(.deviceIDMismatch)
        case .hostMismatch: return HealthSyncError(.certCommonNameInvalid)
        }
    }
}

/// The trust rules of DESIGN §3 as one pure function of the presentation,
/// the context and the time.
public enum TrustPolicy {
    public static func evaluate(_ peer: PeerPresentation, in context: TrustContext, at now: Date) -> TrustDecision {
        guard let leaf = peer.leaf else { return .noCertificate }
        switch peer.chainCheck {
        case .verified, .expired, .notYetValid, .hostMismatch, .revoked: break
        case .unknownIssuer, .badSignature: return .unknownCA
        case .selfSignedInChain: return .selfSignedInChain
        }
        // Time is decided here from the values, whatever the verifier said.
        for certificate in [leaf] + (peer.anchor.map { [$0] } ?? []) {
            switch certificate.validity(at: now) {
            case .expired: return .expired
            case .notYetValid: return .notYetValid
            case .valid: break
            }
        }
        guard let anchor = peer.anchor, anchor.fingerprint == context.anchorFingerprint else { return .unknownCA }
        // The device ID in the certificate must be the hash of the key it certifies.
        guard let deviceID = leaf.deviceID, deviceID == leaf.publicKeyID else { return .wrongDeviceID }
        if peer.chainCheck == .revoked || context.revokedSerials.contains(leaf.serial) { return .revoked }
        guard let record = context.allowList[deviceID] else { return .notPaired }
        if let expected = context.expectedDeviceID, expected != deviceID { return .wrongDeviceID }
        if context.strictHost && (!peer.hostMatches || peer.chainCheck == .hostMismatch) { return .hostMismatch }
        return .trusted(record)
    }
}
