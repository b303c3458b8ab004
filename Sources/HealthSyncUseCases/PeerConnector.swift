import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Opens a mutually authenticated connection to a paired device and
/// applies the trust policy to what it presents.
struct PeerConnector {
    let deps: Dependencies

    /// The paired device a selector names; without one, the first sharing
    /// device (the one this device reads from).
    func peer(_ selector: String?) throws -> PeerRecord {
        let peers = try deps.keyStore.peers()
        if let selector { return try DeviceSelector.find(selector, in: peers) }
        guard let peer = peers.first(where: { $0.role == .sharing }) ?? peers.first else {
            throw HealthSyncError(.notPaired)
        }
        return peer
    }

    /// The port a host given without one is dialled on: `server.port`'s, else 8443.
    private var defaultPort: Int { deps.settings.serverEndpoint?.port ?? Settings.defaultPeerPort }

    /// A connection to a paired device that passed the trust policy, the
    /// address it was reached at and the record as it stands.
    struct Reached {
        let link: any PeerLink
        let path: PeerPath
        let peer: PeerRecord
    }

    /// Where to try `peer`, in order: an explicit `host` alone (it wins for
    /// one command); else `server.host` for the device we read from (a
    /// preference), then every address learned, freshest evidence first
    /// (`PeerRecord.addresses`).
    func candidates(for peer: PeerRecord, host: String?) throws -> [(Endpoint, KnownAddress.Source)] {
        if let host { return [(try Endpoint(parsing: host, defaultPort: defaultPort), .command)] }
        var list: [(Endpoint, KnownAddress.Source)] = []
        if peer.role == .sharing, let configured = deps.settings.serverEndpoint { list.append((configured, .config)) }
        for known in peer.addresses {
            guard let endpoint = try? Endpoint(parsing: known.address, defaultPort: defaultPort),
                  !list.contains(where: { $0.0 == endpoint }) else { continue }
            list.append((endpoint, known.source))
        }
        return list
    }

    /// Reaches `peer` along the first path that answers as it: its
    /// candidate addresses; then (without an explicit `host`) where local
    /// discovery hears the device with its ID, where the global discovery
    /// servers say it is, and last the relays it is joined to (slower, so
    /// after every direct path). Each source is asked only once the paths
    /// before it failed. Addresses are hints: whoever answers is judged by
    /// the trust policy, and a device that is not `peer` is passed over.
    /// Says so (`peerMoved`) when the device was reached elsewhere than
    /// first tried, and records the path that worked. The first failure is
    /// thrown when none reaches it (a trust failure before a silent address).
    func reach(_ peer: PeerRecord, host: String?, debug: Bool = false) async throws -> Reached {
        var paths = try candidates(for: peer, host: host).map { (PeerPath.direct($0.0), $0.1) }
        // What to ask, in order, when the paths so far did not answer.
        var sources: [Source] = host != nil ? [] : (deps.settings.discoveryEnabled ? [.local] : []) + [.global, .relays]
        var globalRelays: [ReachServer] = []
        var tried: [String] = [], failures: [HealthSyncError] = []
        var index = 0
        while true {
            while index == paths.count, !sources.isEmpty {
                let found: [(PeerPath, KnownAddress.Source)]
                switch sources.removeFirst() {
                case .local:
                    found = await discover(peer).map { (.direct($0), .discovery) }
                case .global:
                    let (endpoints, relays) = await lookUp(peer)
                    globalRelays = relays
                    found = endpoints.map { (.direct($0), .globalDiscovery) }
                case .relays:
                    found = relayRoutes(for: peer, adding: globalRelays).map { (.relay($0), .relay) }
                }
                for path in found where !paths.contains(where: { $0.0 == path.0 }) { paths.append(path) }
            }
            guard index < paths.count else { break }
            let (path, source) = paths[index]
            index += 1
            do {
                // While other paths (or sources) remain, a silent one is given up sooner.
                let last = index == paths.count && sources.isEmpty
                let link = try await connect(to: peer, path: path, debug: debug,
                                             timeout: last || path.isRelayed ? deps.settings.timeout : min(deps.settings.timeout, .seconds(3)))
                var record = peer
                record.learn(path.address, from: source, at: deps.clock.now(), succeeded: true)
                if !tried.isEmpty {
                    deps.bus.publish(.peerMoved(PeerMove(name: peer.name, deviceID: peer.deviceID, tried: tried,
                                                         reached: Self.shown(path), source: source)))
                }
                return Reached(link: link, path: path, peer: record)
            } catch {
                tried.append(Self.shown(path))
                failures.append(HealthSyncError.wrap(error, as: .deviceNotFound, path.isRelayed
                    ? "\(peer.name) was not reached through \(path)" : "\(peer.name) did not answer at \(path)"))
            }
        }
        let absent: Set<ErrorCode> = [.deviceNotFound, .timedOut]
        guard let first = failures.first(where: { !absent.contains($0.code) }) ?? failures.first else {
            throw HealthSyncError(.deviceNotFound, "No address is known for \(peer.name), and discovery did not find it",
                                  hint: "Pass --host, or set it: `healthsync config set server.host <ip>`.")
        }
        guard tried.count > 1, absent.contains(first.code) else { throw first }
        throw HealthSyncError(first.code, "\(peer.name) did not answer at \(tried.joined(separator: ", "))",
                              hint: "Is HealthSync running there? Pass --host with its current address.", cause: first.message)
    }

    /// Where paths come from once the known ones failed.
    private enum Source { case local, global, relays }

    /// `192.168.1.20:8443`, or `via relay://203.0.113.7:22067`.
    private static func shown(_ path: PeerPath) -> String { path.isRelayed ? "via \(path)" : path.description }

    /// The relays to try for `peer`: those its address book names (learned
    /// at pairing or on an earlier relayed connection), then those a global
    /// discovery server named, then `reach.relays`.
    func relayRoutes(for peer: PeerRecord, adding found: [ReachServer] = []) -> [RelayRoute] {
        var relays: [ReachServer] = []
        for known in peer.addresses where known.address.hasPrefix("relay://") {
            if let relay = try? ReachServer(parsing: known.address, as: .relay), !relays.contains(relay) { relays.append(relay) }
        }
        for relay in found + deps.settings.relays where !relays.contains(relay) { relays.append(relay) }
        let id = SyncthingDeviceID(certificateFingerprint: peer.caFingerprint)
        return relays.map { RelayRoute(relay: $0, peer: id) }
    }

    /// What the global discovery servers (`reach.discovery`) hold for
    /// `peer`'s Syncthing ID, each asked in turn until one knows it: its
    /// direct addresses and the relays it is joined to. A server that fails
    /// is passed over (the relays configured here are still tried).
    private func lookUp(_ peer: PeerRecord) async -> (endpoints: [Endpoint], relays: [ReachServer]) {
        let id = SyncthingDeviceID(certificateFingerprint: peer.caFingerprint)
        for server in deps.settings.discoveryServers {
            guard let found = try? await deps.globalDiscovery.lookup(id, on: server, timeout: min(deps.settings.timeout, .seconds(5))),
                  !found.isEmpty else { continue }
            var endpoints: [Endpoint] = [], relays: [ReachServer] = []
            for address in found {
                switch address {
                case .tcp(let endpoint): endpoints.append(endpoint)
                case .relay(let relay): relays.append(relay)
                }
            }
            return (endpoints, relays)
        }
        return ([], [])
    }

    /// Where local discovery hears the device with `peer`'s ID (a second at most).
    private func discover(_ peer: PeerRecord) async -> [Endpoint] {
        guard let found = try? await deps.discovery.probe(deps.discoveryTargets, timeoutMilliseconds: Self.discoveryMilliseconds) else {
            return []
        }
        return found.filter { $0.announcement.deviceID == peer.deviceID }
            .map { Endpoint(host: $0.host, port: $0.announcement.port) }
    }

    static let discoveryMilliseconds = 1000

    /// Where the sharing device to join is: `host` (a host, or host:port),
    /// else `server.host`; the guide's hint when neither is known.
    func sharingEndpoint(_ host: String?) throws -> Endpoint {
        if let host { return try Endpoint(parsing: host, defaultPort: defaultPort) }
        if let configured = deps.settings.serverEndpoint { return configured }
        throw HealthSyncError(.invalidArgument, "Where is the sharing device?",
                              hint: "Pass --host with the address `healthsync pair` or `healthsync share` shows.")
    }

    /// After a successful exchange with `peer` over `connection`: renews our
    /// client certificate when due, notes when and where the peer was seen,
    /// and saves the record; returns it.
    func recordUse(of peer: PeerRecord, at path: PeerPath, over link: any PeerLink) async throws -> PeerRecord {
        var used = await CertificateRenewalService(deps).renewIfDue(peer, over: link)
        used.lastSeen = deps.clock.now()
        used.learn(path.address, from: .command, at: used.lastSeen!, succeeded: true)
        try deps.keyStore.savePeer(used)
        return used
    }

    /// Runs `body` over a connection to `peer` that our trust policy
    /// accepted. When the peer, so authenticated, answers that it does not
    /// know us, the pairing is one-sided (interrupted before the other side
    /// committed, or removed there): it is removed here too, and said so.
    func repairing<T>(_ peer: PeerRecord, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as HealthSyncError where error.code == .notPaired {
            _ = try? deps.keyStore.removePeer(peer.deviceID)
            throw HealthSyncError(.notPaired, "\(peer.name) no longer knows this pairing, so it was removed here too",
                                  hint: "The pairing was interrupted or removed on \(peer.name); pair again: `healthsync pair --code <code> --host <address>`.")
        }
    }

    /// Connects with our client certificate and applies the trust policy;
    /// with `debug`, publishes what was negotiated and presented first.
    func connect(to peer: PeerRecord, at endpoint: Endpoint, debug: Bool = false,
                 timeout: Duration? = nil) async throws -> any PeerLink {
        try await connect(to: peer, path: .direct(endpoint), debug: debug, timeout: timeout)
    }

    /// The same through a relay: the relay only carries the TLS connection,
    /// which is judged exactly as a direct one.
    func connect(to peer: PeerRecord, through route: RelayRoute, debug: Bool = false) async throws -> any PeerLink {
        try await connect(to: peer, path: .relay(route), debug: debug, timeout: nil)
    }

    private func connect(to peer: PeerRecord, path: PeerPath, debug: Bool, timeout: Duration?) async throws -> any PeerLink {
        let loaded = try IdentityService(deps).ensureIdentity()
        let ca: Certificate
        do { ca = try deps.crypto.parseCertificate(pem: peer.caCertificatePEM) } catch {
            throw HealthSyncError(.keystoreCorrupt, "The pinned CA of \(peer.name) cannot be parsed")
        }
        let credentials = try PeerCredentials.client(loaded, for: peer, crypto: deps.crypto)
        let timeout = timeout ?? deps.settings.timeout
        let connection = switch path {
        case .direct(let endpoint):
            try await deps.transport.connect(to: endpoint, credentials: credentials, anchor: .certificate(ca), timeout: timeout)
        case .relay(let route):
            try await deps.connect(through: route, as: loaded,
                                             credentials: credentials, anchor: .certificate(ca), timeout: timeout)
        }
        let context = TrustContext(anchorFingerprint: peer.caFingerprint, allowList: [peer.deviceID: peer],
                                   revokedSerials: [], expectedDeviceID: peer.deviceID,
                                   strictHost: deps.settings.strictHost && !path.isRelayed)
        let refusal = TrustPolicy.evaluate(connection.info.peer, in: context, at: deps.clock.now()).error
        if debug {
            let info = connection.info
            deps.bus.publish(.connectionDetails(ConnectionReport(
                address: path.isRelayed ? "\(peer.name) via \(path)" : path.description, version: info.session.version,
                cipher: info.session.cipher,
                alpn: info.session.alpn, chain: info.presentedChain.map(ConnectionReport.ChainEntry.init),
                verifyResult: Self.describe(info.peer.chainCheck), trust: refusal?.code.rawValue ?? "OK")))
        }
        if let refusal {
            await connection.close()
            throw refusal
        }
        return connection
    }

    /// Chain checks in the words `openssl verify` uses.
    static func describe(_ check: ChainCheck) -> String {
        switch check {
        case .verified: "0 (ok)"
        case .unknownIssuer: "21 (unable to verify the first certificate)"
        case .selfSignedInChain: "19 (self-signed certificate in certificate chain)"
        case .badSignature: "7 (certificate signature failure)"
        case .expired: "10 (certificate has expired)"
        case .notYetValid: "9 (certificate is not yet valid)"
        case .hostMismatch: "62 (hostname mismatch)"
        case .revoked: "23 (certificate revoked)"
        }
    }
}
