import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

extension Crypto {
    /// How every transport turns a presented chain into a `PeerPresentation`:
    /// find the anchor, verify the leaf against it for the role at the time
    /// given, and check the leaf against the host dialled (if any).
    public func presentation(of chain: [Certificate], anchor: TrustAnchor, role: CertificateRole,
                             host: String?, at time: Date) -> PeerPresentation {
        guard let leaf = chain.first else {
            return PeerPresentation(leaf: nil, anchor: nil, chainCheck: .unknownIssuer)
        }
        let rest = Array(chain.dropFirst())
        let anchorCertificate: Certificate? = switch anchor {
        case .certificate(let certificate): certificate
        case .fingerprint(let fingerprint): rest.first { $0.fingerprint == fingerprint }
        case .none: rest.first { $0.isCA }
        }
        guard let anchorCertificate else {
            return PeerPresentation(leaf: leaf, anchor: nil, chainCheck: .unknownIssuer)
        }
        let intermediates = rest.filter { $0.fingerprint != anchorCertificate.fingerprint }
        let check = verify(leaf, intermediates: intermediates, anchor: anchorCertificate, role: role, host: nil, at: time)
        let hostMatches = host.map {
            verify(leaf, intermediates: intermediates, anchor: anchorCertificate, role: role, host: $0, at: time) != .hostMismatch
        } ?? true
        return PeerPresentation(leaf: leaf, anchor: anchorCertificate, chainCheck: check, hostMatches: hostMatches)
    }
}
