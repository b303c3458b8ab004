import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// The certificates this device presents and issues in pairing.
enum PeerCredentials {
    /// SPAKE2+'s identities, bound to one connection.
    static func spakeIdentities(binding: [UInt8]) -> SpakeIdentities {
        SpakeIdentities(context: PairingSession.spakeContextLabel + binding, prover: Array("healthsync-joiner".utf8),
                        verifier: Array("healthsync-sharer".utf8))
    }

    /// The token path's proofs, bound to one connection: the joiner's that it
    /// holds the token, and the sharing device's that it issued it (for a
    /// joiner that has only the token, no CA fingerprint to pin).
    static func tokenProof(_ token: [UInt8], binding: [UInt8], byServer: Bool, deps: Dependencies) -> [UInt8] {
        let label = byServer ? PairingSession.serverTokenProofLabel : PairingSession.tokenProofLabel
        return deps.crypto.hmacSHA256(key: token, data: label + binding)
    }

    /// As a server: our server certificate followed by our CA.
    static func server(_ loaded: LoadedIdentity) -> TransportCredentials {
        TransportCredentials(key: loaded.identity.deviceKey, certificate: loaded.serverCertificate,
                             chain: [loaded.caCertificate])
    }

    /// To relays (and discovery servers): our CA, whose certificate never
    /// changes, so the Syncthing device ID peers ask a relay for (the
    /// SHA-256 of the CA's DER, the fingerprint paired devices pin) stays
    /// the same across renewals and address changes. The CA key signs only
    /// TLS 1.3 handshakes here, whose signed content is prefixed by a
    /// context string and cannot pass for a certificate.
    static func relayIdentity(_ loaded: LoadedIdentity) -> TransportCredentials {
        TransportCredentials(key: loaded.identity.caKey, certificate: loaded.caCertificate)
    }

    /// Our ID on relays and discovery servers.
    static func relayID(_ loaded: LoadedIdentity) -> SyncthingDeviceID {
        SyncthingDeviceID(certificateFingerprint: loaded.caCertificate.fingerprint)
    }

    /// As a client of `peer`: the client certificate its CA issued to us.
    static func client(_ loaded: LoadedIdentity, for peer: PeerRecord, crypto: any Crypto) throws -> TransportCredentials {
        guard let pem = peer.clientCertificatePEM else {
            throw HealthSyncError(.noClientCertificate, "No client certificate from \(peer.name) is stored")
        }
        let certificate: Certificate
        do { certificate = try crypto.parseCertificate(pem: pem) } catch {
            throw HealthSyncError(.keystoreCorrupt, "The client certificate from \(peer.name) cannot be parsed")
        }
        return TransportCredentials(key: loaded.identity.deviceKey, certificate: certificate)
    }

    /// A client certificate for a peer's CSR, signed by our CA.
    /// A client certificate for `csr` from our CA, valid from now (or from
    /// `startingBy`, the requester's clock, when that is earlier).
    static func issueClientCertificate(csr: String, deps: Dependencies, loaded: LoadedIdentity,
                                       startingBy requesterTime: Date? = nil) throws -> Certificate {
        let now = deps.clock.now()
        let (notBefore, notAfter) = CertificatePolicy.validity(years: CertificatePolicy.leafYears,
                                                               from: min(now, requesterTime ?? now))
        let spec = CertificateSpec(commonName: CertificatePolicy.clientCommonName,
                                   serial: try deps.entropy.bytes(CertificatePolicy.serialBytes),
                                   notBefore: notBefore, notAfter: notAfter)
        return try deps.crypto.issueCertificate(request: csr, spec: spec, role: .client,
                                                caKey: loaded.identity.caKey, caCertificate: loaded.caCertificate)
    }

    /// Parses a peer's CA: it must be a valid, self-issued CA certificate.
    static func peerCA(_ pem: String, deps: Dependencies) throws -> Certificate {
        guard let ca = try? deps.crypto.parseCertificate(pem: pem), ca.isCA, ca.isSelfIssued,
              deps.crypto.verify(ca, intermediates: [], anchor: ca, role: nil, host: nil, at: deps.clock.now()) == .verified
        else {
            throw HealthSyncError(.protocolError, "The peer's CA certificate is not a valid CA")
        }
        return ca
    }

    /// Checks a client certificate the peer's CA issued to us.
    static func checkIssuedToUs(_ pem: String, by ca: Certificate, deps: Dependencies, loaded: LoadedIdentity) throws -> Certificate {
        guard let certificate = try? deps.crypto.parseCertificate(pem: pem),
              deps.crypto.verify(certificate, intermediates: [], anchor: ca, role: .client, host: nil,
                                 at: deps.clock.now()) == .verified,
              deps.crypto.certificate(certificate, matches: loaded.identity.deviceKey),
              certificate.deviceID == loaded.deviceID else {
            throw HealthSyncError(.protocolError, "The client certificate the peer issued is not valid for this device")
        }
        return certificate
    }
}
