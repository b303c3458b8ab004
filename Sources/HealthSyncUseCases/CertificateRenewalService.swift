import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Client certificates are renewed over the mutual-TLS connection they
/// authenticate when less than 30 days remain (DESIGN §3), so a device in
/// regular use never meets `CERT_HAS_EXPIRED`. Keys never change: the new
/// certificate is for the key the device already has.
struct CertificateRenewalService {
    let deps: Dependencies

    init(_ deps: Dependencies) { self.deps = deps }

    // MARK: The server's side

    /// Issues `peer` a new client certificate for the request's CSR, when
    /// the one it presented on this connection is due, the CSR is for its
    /// own key and the two clocks agree. It starts no later than either
    /// clock says it is now, so neither device holds one "not yet valid".
    func renew(for peer: PeerRecord, presented: Certificate?, request renewal: RenewalRequest,
               identity: LoadedIdentity) throws -> String {
        let now = deps.clock.now()
        if let clientTime = renewal.clientTime {
            try ClockSkew.check(ours: now, theirs: clientTime, peer: peer.name, us: deps.deviceName)
        }
        let csr = renewal.csr
        guard let presented, CertificatePolicy.isDue(notAfter: presented.notAfter, at: now) else {
            throw HealthSyncError(.invalidArgument, "The client certificate is not due for renewal",
                                  hint: "Certificates are renewed when less than \(CertificatePolicy.renewalWindowDays) days remain.")
        }
        let requested = try deps.crypto.inspectSigningRequest(csr)
        guard requested.deviceID == peer.deviceID else {
            throw HealthSyncError(.deviceIDMismatch, "The renewal request is not for the key of \(peer.name)")
        }
        let issued = try PeerCredentials.issueClientCertificate(csr: csr, deps: deps, loaded: identity,
                                                                startingBy: renewal.clientTime)
        // Read again under the same key: the record may have changed since the connection was authorised.
        var updated = try deps.keyStore.peers().first { $0.deviceID == peer.deviceID } ?? peer
        updated.issuedSerials.append(issued.serial)
        try deps.keyStore.savePeer(updated)
        deps.bus.publish(.certificateRenewed(CertificateRenewal(kind: .peerClientCertificate, deviceID: peer.deviceID,
                                                                notAfter: issued.notAfter)))
        return issued.pem
    }

    // MARK: The client's side

    /// Asks `peer` for a new client certificate over `link` when ours
    /// is due; returns the record to keep (renewed or as it was). A failed
    /// renewal is reported on the bus and does not fail the caller: the
    /// current certificate still works, and the next connection tries again.
    func renewIfDue(_ peer: PeerRecord, over link: any PeerLink) async -> PeerRecord {
        let now = deps.clock.now()
        guard let pem = peer.clientCertificatePEM, let current = try? deps.crypto.parseCertificate(pem: pem),
              CertificatePolicy.isDue(notAfter: current.notAfter, at: now) else { return peer }
        do {
            let loaded = try IdentityService(deps).ensureIdentity()
            let csr = try deps.crypto.makeSigningRequest(key: loaded.identity.deviceKey,
                                                         commonName: CertificatePolicy.clientCommonName)
            let reply = try await link.renewCertificate(RenewalRequest(csr: csr, clientTime: now), timeout: deps.settings.timeout)
            if let serverTime = reply.serverTime { try ClockSkew.check(ours: now, theirs: serverTime, peer: peer.name) }
            let ca = try deps.crypto.parseCertificate(pem: peer.caCertificatePEM)
            let issued = try PeerCredentials.checkIssuedToUs(reply.certificate, by: ca, deps: deps, loaded: loaded)
            guard issued.notAfter > current.notAfter else {
                throw HealthSyncError(.protocolError, "The renewed certificate does not last longer than the old one")
            }
            // Never keep a certificate that starts after our clock: it would
            // fail every connection until that time (an issuer's wrong clock).
            guard issued.notBefore <= now.addingTimeInterval(ClockSkew.tolerance) else {
                throw HealthSyncError(.clockSkew, ClockSkew.describe(issued.notBefore.timeIntervalSince(now), peer: peer.name)
                                      + ": the renewed certificate starts in the future")
            }
            var renewed = peer
            renewed.clientCertificatePEM = issued.pem
            try deps.keyStore.savePeer(renewed)
            deps.bus.publish(.certificateRenewed(CertificateRenewal(kind: .ourClientCertificate, deviceID: peer.deviceID,
                                                                    notAfter: issued.notAfter)))
            return renewed
        } catch {
            deps.bus.publish(.failed(HealthSyncError.wrap(error, as: .protocolError,
                                                          "Renewing the client certificate from \(peer.name) failed")))
            return peer
        }
    }
}
