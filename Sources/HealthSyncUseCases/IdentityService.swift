import FoundationEssentials
import HealthSyncBus
import HealthSyncDomain
import HealthSyncPorts

/// Creates this device's identity on first need and loads it afterwards,
/// checking that the stored pieces belong together.
public struct IdentityService: Sendable {
    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// The identity, created (key, CA, server certificate) when there is
    /// none; a server certificate with less than 30 days left is renewed
    /// unless `renewing` is false (reports show what is stored). An identity
    /// that is gone while pairings remain is damage, not a first run: a new
    /// one would silently break every pairing.
    public func ensureIdentity(renewing: Bool = true) throws -> LoadedIdentity {
        if let stored = try deps.keyStore.loadIdentity() {
            let loaded = try check(stored)
            return renewing ? try renewServerCertificateIfDue(loaded) : loaded
        }
        let peers = try deps.keyStore.peers()
        guard peers.isEmpty else {
            throw HealthSyncError(.keystoreCorrupt,
                                  "This device's identity is missing but \(peers.count) pairing(s) remain in \(deps.keyStore.location)",
                                  hint: "Restore the identity folder from a backup, or run `healthsync keychain clear` and re-pair every device.")
        }
        let created = try makeIdentity()
        let stored = try deps.keyStore.createIdentityIfAbsent(created)
        if stored == created { deps.bus.publish(.identityCreated(created.deviceID)) }
        return try check(stored)
    }

    /// The identity if one exists, without creating it.
    public func existingIdentity() throws -> LoadedIdentity? {
        try deps.keyStore.loadIdentity().map(check)
    }

    /// The names a server certificate carries: the loopback, and every
    /// address this machine has on its networks, so curl and Python's ssl
    /// accept it on the address they dial.
    static func subjectAltNames(for addresses: [String]) -> [String] {
        ["DNS:localhost", "IP:127.0.0.1", "IP:::1"] + addresses.map { "IP:" + $0 }
    }

    /// A new server certificate for this device's key, naming `names`.
    func makeServerCertificate(deviceKey: SecretBytes, caKey: SecretBytes, ca: Certificate, names: [String]) throws -> Certificate {
        let now = deps.clock.now()
        let (notBefore, notAfter) = CertificatePolicy.validity(years: CertificatePolicy.leafYears, from: now)
        let request = try deps.crypto.makeSigningRequest(key: deviceKey, commonName: CertificatePolicy.serverCommonName)
        let spec = CertificateSpec(commonName: CertificatePolicy.serverCommonName,
                                   serial: try deps.entropy.bytes(CertificatePolicy.serialBytes),
                                   notBefore: notBefore, notAfter: notAfter,
                                   extraSubjectAltNames: names)
        return try deps.crypto.issueCertificate(request: request, spec: spec, role: .server, caKey: caKey,
                                                caCertificate: ca)
    }

    /// Our CA issues our server certificate, so its renewal needs no peer.
    /// Renews the server certificate when it is due, and reissues one dated
    /// in the future (made while this clock was wrong): peers would refuse
    /// it as not yet valid until that date.
    private func renewServerCertificateIfDue(_ loaded: LoadedIdentity) throws -> LoadedIdentity {
        let now = deps.clock.now()
        let future = loaded.serverCertificate.notBefore > now.addingTimeInterval(ClockSkew.tolerance)
        // Reissued, too, when this machine's addresses are no longer the ones it names.
        let names = Self.subjectAltNames(for: deps.discovery.localAddresses())
        let moved = !Set(names).isSubset(of: Set(loaded.serverCertificate.subjectAltNames))
        guard future || moved || CertificatePolicy.isDue(notAfter: loaded.serverCertificate.notAfter, at: now) else {
            return loaded
        }
        let server = try makeServerCertificate(deviceKey: loaded.identity.deviceKey, caKey: loaded.identity.caKey,
                                               ca: loaded.caCertificate, names: names)
        try deps.keyStore.replaceServerCertificate(server.pem)
        guard let stored = try deps.keyStore.loadIdentity() else {
            throw HealthSyncError(.keystoreCorrupt, "The identity disappeared while its server certificate was renewed")
        }
        let renewed = try check(stored)
        deps.bus.publish(.certificateRenewed(CertificateRenewal(kind: .serverCertificate, deviceID: nil,
                                                                notAfter: renewed.serverCertificate.notAfter)))
        return renewed
    }

    private func makeIdentity() throws -> DeviceIdentity {
        let now = deps.clock.now()
        let deviceKey = try deps.crypto.generatePrivateKey()
        let caKey = try deps.crypto.generatePrivateKey()
        let (notBefore, notAfter) = CertificatePolicy.validity(years: CertificatePolicy.caYears, from: now)
        let ca = try deps.crypto.makeCertificateAuthority(
            key: caKey,
            spec: CertificateSpec(commonName: CertificatePolicy.caCommonName,
                                  serial: try deps.entropy.bytes(CertificatePolicy.serialBytes),
                                  notBefore: notBefore, notAfter: notAfter))
        let server = try makeServerCertificate(deviceKey: deviceKey, caKey: caKey, ca: ca,
                                               names: Self.subjectAltNames(for: deps.discovery.localAddresses()))
        return DeviceIdentity(deviceID: try deps.crypto.deviceID(ofPrivateKey: deviceKey), deviceKey: deviceKey,
                              caKey: caKey, caCertificatePEM: ca.pem, serverCertificatePEM: server.pem,
                              createdAt: now)
    }

    /// Parses the stored certificates and checks that keys, certificates and
    /// the device ID agree; any disagreement is corruption, never a reason
    /// to make a new identity.
    private func check(_ identity: DeviceIdentity) throws -> LoadedIdentity {
        let place = "\(deps.keyStore.adapterName) keystore at \(deps.keyStore.location)"
        func corrupt(_ what: String) -> HealthSyncError {
            HealthSyncError(.keystoreCorrupt, "The identity in the \(place) is damaged: \(what)")
        }
        let ca: Certificate, server: Certificate
        do {
            ca = try deps.crypto.parseCertificate(pem: identity.caCertificatePEM)
            server = try deps.crypto.parseCertificate(pem: identity.serverCertificatePEM)
        } catch {
            throw corrupt("a certificate cannot be parsed")
        }
        let keyID: DeviceID
        do { keyID = try deps.crypto.deviceID(ofPrivateKey: identity.deviceKey) } catch {
            throw corrupt("the device key cannot be read")
        }
        guard keyID == identity.deviceID else { throw corrupt("the device ID does not match the device key") }
        guard deps.crypto.certificate(ca, matches: identity.caKey) else {
            throw corrupt("the CA key does not match the CA certificate")
        }
        // `keyID` is the device key's public half already (`certificate(_:matches:)` would decode the key
        // a second time on every command to compute it again): the certificate must carry that key.
        guard server.publicKeyID == keyID, server.deviceID == keyID else {
            throw corrupt("the server certificate is not this device's")
        }
        return LoadedIdentity(identity: identity, caCertificate: ca, serverCertificate: server)
    }
}
