import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Guide 001's `cert info` and `cert export`.
public struct CertificateService: Sendable {
    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// Every certificate this device holds; with `caOnly`, just the CAs.
    public func report(caOnly: Bool) throws -> CertificateReport {
        // The report shows what is stored, including a certificate that has run out.
        let loaded = try IdentityService(deps).ensureIdentity(renewing: false)
        let now = deps.clock.now()
        var entries: [CertificateEntry] = []
        var missing: [MissingCertificate] = []
        let peers = try deps.keyStore.peers()
        for peer in peers {
            let label = "\(peer.name) (\(peer.deviceID.short)...)"
            if !caOnly {
                if let pem = peer.clientCertificatePEM {
                    entries.append(CertificateEntry(title: "Client Certificate", kind: "client", peer: label,
                                                    certificate: try parse(pem, of: peer), at: now))
                }
                if let pem = peer.serverCertificatePEM {
                    entries.append(CertificateEntry(title: "Server Certificate (cached)", kind: "peer-server",
                                                    peer: label, certificate: try parse(pem, of: peer), at: now))
                }
            }
            entries.append(CertificateEntry(title: "CA Certificate", kind: "peer-ca", peer: label,
                                            certificate: try parse(peer.caCertificatePEM, of: peer), at: now))
        }
        if peers.isEmpty && !caOnly {
            missing.append(MissingCertificate(
                title: "Client Certificate",
                reason: "None yet: a paired device issues it (`healthsync pair --code <code> --host <address>` or `healthsync pair --token <payload>`)"))
        }
        let own = peers.isEmpty ? "" : " (this device)"
        if !caOnly {
            entries.append(CertificateEntry(title: "Server Certificate" + own, kind: "server", peer: nil,
                                            certificate: loaded.serverCertificate, at: now))
        }
        entries.append(CertificateEntry(title: "CA Certificate" + own, kind: "ca", peer: nil,
                                        certificate: loaded.caCertificate, at: now))
        return CertificateReport(device: DeviceLine(name: deps.deviceName, deviceID: loaded.deviceID),
                                 certificates: entries, missing: missing)
    }

    /// Writes PEM files for openssl and curl. A destination ending in `.pem`
    /// receives one bundle of certificates (no key); any other is a folder
    /// (created 0700) that receives `ca.pem`, `server.pem`, `device-key.pem`
    /// (0600) and, once paired, `client.pem` and `peer-ca.pem` for `peer`
    /// (the first paired device when nil).
    public func export(to destination: String, peer selector: String?) throws -> ExportReport {
        let loaded = try IdentityService(deps).ensureIdentity()
        let peers = try deps.keyStore.peers()
        let peer = try selector.map { try DeviceSelector.find($0, in: peers) } ?? peers.first
        var files: [ExportReport.File] = []
        if destination.hasSuffix(".pem") {
            // Guide 001 writes ~/Desktop/healthsync-cert.pem: its folder may not exist yet.
            let folder = String(destination[..<(destination.lastIndex(of: "/") ?? destination.startIndex)])
            if !folder.isEmpty { try deps.files.createDirectory(folder, mode: 0o700) }
            var bundle = loaded.serverCertificate.pem + loaded.caCertificate.pem
            if let peer { bundle += (peer.clientCertificatePEM ?? "") + peer.caCertificatePEM }
            files.append(.init(path: destination, contents: bundle, secret: false))
        } else {
            // The names guide 001's `openssl s_client -cert client.pem -key client-key.pem
            // -CAfile ca.pem` uses, where ca.pem verifies the device it connects to.
            try deps.files.createDirectory(destination, mode: 0o700)
            let base = destination.hasSuffix("/") ? destination : destination + "/"
            let key = String(decoding: loaded.identity.deviceKey.bytes, as: UTF8.self)
            files.append(.init(path: base + "client-key.pem", contents: key, secret: true))
            if let peer, let client = peer.clientCertificatePEM {
                files.append(.init(path: base + "client.pem", contents: client, secret: false))
            }
            files.append(.init(path: base + "ca.pem", contents: peer?.caCertificatePEM ?? loaded.caCertificate.pem, secret: false))
            files.append(.init(path: base + "this-device-ca.pem", contents: loaded.caCertificate.pem, secret: false))
            files.append(.init(path: base + "server.pem",
                               contents: loaded.serverCertificate.pem + loaded.caCertificate.pem, secret: false))
        }
        for file in files {
            try deps.files.writeAtomically(file.path, Array(file.contents.utf8), mode: file.secret ? 0o600 : 0o644)
        }
        return ExportReport(destination: destination, files: files)
    }

    private func parse(_ pem: String, of peer: PeerRecord) throws -> Certificate {
        do { return try deps.crypto.parseCertificate(pem: pem) } catch {
            throw HealthSyncError(.keystoreCorrupt,
                                  "A certificate of paired device \(peer.deviceID.short)... in the \(deps.keyStore.adapterName) keystore cannot be parsed")
        }
    }
}
