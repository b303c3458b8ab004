import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// Starts and stops a daemon: the peer listener, the control API behind
/// its token, discovery answers, and `daemon.json` saying where they listen.
public struct DaemonService: Sendable {
    /// A daemon that is running.
    public actor Running {
        public nonisolated let info: DaemonInfo
        private var peers: any TransportListener
        /// The server certificate the peer listener presents.
        private var serving: SHA256Fingerprint
        /// The control API: its Unix socket and its TCP port.
        private let api: [any ControlListener]
        private let discovery: (any DiscoveryListener)?
        /// What discovery says about this device (without the pairing flag).
        private let announcement: DiscoveryAnnouncement?
        private let record: DaemonRecord
        private let claim: (any HeldLock)?
        private let host: PairingHost
        private let sightings: PeerSightings
        private let deps: Dependencies
        private var peersClosed = false

        init(info: DaemonInfo, peers: any TransportListener, serving: SHA256Fingerprint, api: [any ControlListener],
             discovery: (any DiscoveryListener)?, announcement: DiscoveryAnnouncement?, record: DaemonRecord,
             claim: (any HeldLock)?, host: PairingHost, sightings: PeerSightings, deps: Dependencies) {
            self.info = info
            self.peers = peers
            self.serving = serving
            self.api = api
            self.discovery = discovery
            self.announcement = announcement
            self.record = record
            self.claim = claim
            self.host = host
            self.sightings = sightings
            self.deps = deps
            announcedAddresses = deps.discovery.localAddresses()
        }

        /// The daemon's long-running parts, for one ServiceGroup: the peer
        /// listener, the control API, discovery answers (each held open until
        /// cancelled) kept in step with the pairing flag and the addresses,
        /// hourly certificate renewal and, when `sync.interval_s` is above 0,
        /// live sync (long polls) with background sync as the fallback.
        public nonisolated func services(syncInterval: Duration?) -> [any ApplicationService] {
            var services: [any ApplicationService] = [
                HoldingService(name: "peer listener") { await self.closePeers() },
                HoldingService(name: "control API") { await self.closeAPI() },
            ]
            if discovery != nil {
                services.append(HoldingService(name: "discovery answers") { await self.closeDiscovery() })
                services.append(AnnouncementService(running: self))
            }
            services.append(RenewalService(running: self, interval: .seconds(3600), deps: deps))
            for relay in deps.settings.relays {
                services.append(RelayPresenceService(relay: relay, peers: PeerService(deps, pairing: host), deps: deps))
            }
            for server in deps.settings.discoveryServers {
                services.append(GlobalAnnouncementService(server: server, running: self, deps: deps))
            }
            if let syncInterval {
                services.append(LiveSyncService(deps: deps, sightings: sightings))
                services.append(BackgroundSyncService(deps: deps, interval: syncInterval))
            }
            return services
        }

        /// Renews the server certificate when less than 30 days remain and,
        /// when it changed, listens again on the same address with it (the
        /// listener presents the certificate it was started with). Returns
        /// whether it did.
        @discardableResult
        public func renewIfDue() async throws -> Bool {
            let loaded = try IdentityService(deps).ensureIdentity()
            guard !peersClosed, loaded.serverCertificate.fingerprint != serving else { return false }
            let endpoint = peers.endpoint
            await peers.close()
            peers = try await PeerService(deps, pairing: host).listen(on: endpoint)
            serving = loaded.serverCertificate.fingerprint
            return true
        }

        /// What this daemon tells global discovery servers, on the peer
        /// port: listening on every interface, each address of this machine
        /// (loopback left out) and the announcement's source address (a
        /// server across a NAT sees the public one); listening on one
        /// address, that one (none when it is loopback); then the relays it joins.
        public func globalAddresses() -> [GlobalAddress] {
            let listening = peers.endpoint
            var addresses: [GlobalAddress] = []
            if ["::", "0.0.0.0", ""].contains(listening.host) {
                addresses = deps.discovery.localAddresses().filter { !Endpoint.isLoopback($0) }.prefix(8)
                    .map { GlobalAddress.tcp(Endpoint(host: $0, port: listening.port)) }
                addresses.append(.source(port: listening.port))
            } else if !Endpoint.isLoopback(listening.host) {
                addresses = [.tcp(listening)]
            }
            return addresses + deps.settings.relays.map { .relay($0) }
        }

        private var announcedPairing = false
        private var announcedAddresses: [String]

        /// Says on the network whether a pairing session is open (the flag,
        /// never the code) and where this device is now, when either changed
        /// since last said (RFC 6762 §8.4: a new address is announced at once).
        public func refreshAnnouncement() async {
            let open = host.isOpen, addresses = deps.discovery.localAddresses()
            guard let discovery, let announcement, !discoveryClosed,
                  open != announcedPairing || addresses != announcedAddresses else { return }
            announcedPairing = open
            announcedAddresses = addresses
            await discovery.update(announcement.pairing(open))
        }

        /// Withdraws the record, ends a pairing session, closes every
        /// listener and gives the state directory up.
        public func stop() async {
            await closeDiscovery()
            await closeAPI()
            await closePeers()
            claim?.release()
        }

        private var discoveryClosed = false, apiClosed = false

        private func closeDiscovery() async {
            guard !discoveryClosed else { return }
            discoveryClosed = true
            await discovery?.close()
        }

        /// The CLI finds the daemon through the API: the record goes with it.
        private func closeAPI() async {
            guard !apiClosed else { return }
            apiClosed = true
            record.withdraw(info)
            await host.cancel()
            await host.endMeeting()
            for listener in api { await listener.close() }
        }

        private func closePeers() async {
            guard !peersClosed else { return }
            peersClosed = true
            await peers.close()
        }
    }

    private let deps: Dependencies
    private let host: PairingHost
    private let record: DaemonRecord
    private let stateDir: String

    public init(_ deps: Dependencies, host: PairingHost, record: DaemonRecord, stateDir: String) {
        self.deps = deps
        self.host = host
        self.record = record
        self.stateDir = stateDir
    }

    /// Listens for peers on `peerEndpoint`, for the CLI on the control
    /// socket in the state directory and for browser extensions on
    /// `apiEndpoint` (port 0: chosen by the system); refused while another
    /// daemon runs with the same state directory. Pairing codes advertise `advertiseHost`
    /// (default: this machine's preferred address, from the discovery port).
    /// Discovery probes are answered on `discoveryPort` (default
    /// `discovery.port`) when `discovery.enabled`.
    public func start(peerEndpoint: Endpoint, apiEndpoint: Endpoint, advertiseHost: String? = nil, discoveryPort: Int? = nil,
                      pid: Int32) async throws -> Running {
        guard Endpoint.isLoopback(apiEndpoint.host) else {
            throw HealthSyncError(.configInvalid, "The control API must listen on the loopback interface, not \(apiEndpoint.host)",
                                  hint: "Set api.host to 127.0.0.1 (`healthsync config set api.host 127.0.0.1`).")
        }
        let identity = try IdentityService(deps).ensureIdentity()
        let token = try record.ensureToken()
        let claim = try record.claim()
        let discoveryPort = deps.settings.discoveryEnabled ? (discoveryPort ?? deps.settings.discoveryPort) : nil
        let sightings = PeerSightings()
        var opened: [any TransportListener] = [], api: [any ControlListener] = []
        do {
            let peers = try await PeerService(deps, pairing: host).listen(on: peerEndpoint)
            opened.append(peers)
            // The answers need the final addresses; they are set once every socket is bound.
            let answers = StartingDaemon()
            api.append(try await deps.control.serve(at: record.control, token: token, requests: answers))
            let tcp = try await deps.control.serve(at: .tcp(apiEndpoint), token: token, requests: answers)
            api.append(tcp)
            guard case .tcp(let apiBound) = tcp.address else { preconditionFailure("a TCP control listener has a TCP address") }
            var discovery: (any DiscoveryListener)?
            let announcement = DiscoveryAnnouncement(name: deps.deviceName, deviceID: identity.deviceID,
                                                     port: peers.endpoint.port, version: deps.version)
            if let discoveryPort {
                let answering = try await deps.discovery.answer(
                    // Discovery answers IPv4 broadcasts: a dual-stack peer host means every IPv4 address here.
                    on: Endpoint(host: peerEndpoint.host == "::" ? "0.0.0.0" : peerEndpoint.host, port: discoveryPort),
                    with: announcement, seen: { sightings.saw($0) })
                opened.append(answering)
                discovery = answering
            }
            let socketPath: String? = if case .socket(let path) = record.control { path } else { nil }
            let info = DaemonInfo(pid: pid, deviceID: identity.deviceID, peer: peers.endpoint, api: apiBound,
                                  control: socketPath, discovery: discovery?.endpoint, startedAt: deps.clock.now(),
                                  version: deps.version)
            answers.start(DaemonAnswers(deps, host: host, info: info, advertiseHost: advertiseHost, stateDir: stateDir))
            try record.publish(info)
            return Running(info: info, peers: peers, serving: identity.serverCertificate.fingerprint, api: api,
                           discovery: discovery, announcement: announcement, record: record, claim: claim, host: host,
                           sightings: sightings, deps: deps)
        } catch {
            for listener in api.reversed() { await listener.close() }
            for listener in opened.reversed() { await listener.close() }
            claim?.release()
            throw error
        }
    }
}

/// The daemon's answers, set once every socket is bound; a request that
/// arrives before that is told the daemon is still starting.
private final class StartingDaemon: DaemonRequests {
    private let answers = Mutex<DaemonAnswers?>(nil)

    func start(_ ready: DaemonAnswers) { answers.withLock { $0 = ready } }

    private func ready() throws -> DaemonAnswers {
        guard let ready = answers.withLock({ $0 }) else {
            throw HealthSyncError(.daemonUnreachable, "The daemon is still starting")
        }
        return ready
    }

    func health() async -> ControlHealth {
        guard let ready = try? ready() else { return ControlHealth(status: "starting", version: "") }
        return await ready.health()
    }

    func status() async throws -> StatusReport { try await ready().status() }
    func initiatePairing() async throws -> ControlInvitation { try await ready().initiatePairing() }

    func pairingState() async -> ControlPairingState {
        guard let ready = try? ready() else { return ControlPairingState(state: .idle) }
        return await ready.pairingState()
    }

    func respond(accept: Bool) async throws { try await ready().respond(accept: accept) }
    func cancelPairing() async { await (try? ready())?.cancelPairing() }
    func join(_ join: ControlJoin) async throws -> PairedReport { try await ready().join(join) }
    func devices() async throws -> DevicesReport { try await ready().devices() }
    func unpair(_ selector: String) async throws -> UnpairReport { try await ready().unpair(selector) }
}
