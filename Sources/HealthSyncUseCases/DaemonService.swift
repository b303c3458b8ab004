import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// Starts and stops a daemon: the peer listener, the control API behind
/// its token, and `daemon.json` saying where both listen.
public struct DaemonService: Sendable {
    /// A daemon that is running.
    public actor Running {
        public nonisolated let info: DaemonInfo
        private var peers: any TransportListener
        /// The server certificate the peer listener presents.
        private var serving: SHA256Fingerprint
        private let api: any TransportListener
        private let discovery: (any TransportListener)?
        private let record: DaemonRecord
        private let host: PairingHost
        private let deps: Dependencies

        init(info: DaemonInfo, peers: any TransportListener, serving: SHA256Fingerprint, api: any TransportListener,
             discovery: (any TransportListener)?, record: DaemonRecord, host: PairingHost, deps: Dependencies) {
            self.info = info
            self.peers = peers
            self.serving = serving
            self.api = api
            self.discovery = discovery
            self.record = record
            self.host = host
            self.deps = deps
        }

        /// Renews the server certificate when less than 30 days remain and,
        /// when it changed, listens again on the same address with it (the
        /// listener presents the certificate it was started with). Returns
        /// whether it did. A long-running daemon calls this periodically.
        @discardableResult
        public func renewIfDue() async throws -> Bool {
            let loaded = try IdentityService(deps).ensureIdentity()
            guard loaded.serverCertificate.fingerprint != serving else { return false }
            let endpoint = peers.endpoint
            await peers.close()
            peers = try await PeerService(deps, pairing: host).listen(on: endpoint)
            serving = loaded.serverCertificate.fingerprint
            return true
        }

        /// Withdraws the record, ends a pairing session and closes both listeners.
        public func stop() async {
            record.withdraw(info)
            await host.cancel()
            await discovery?.close()
            await api.close()
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

    /// Listens for peers on `peerEndpoint` and for the CLI on `apiEndpoint`
    /// (port 0: chosen by the system); pairing codes advertise `advertiseHost`.
    /// Discovery probes are answered on `discoveryPort` (default
    /// `discovery.port`) when `discovery.enabled`.
    public func start(peerEndpoint: Endpoint, apiEndpoint: Endpoint, advertiseHost: String, discoveryPort: Int? = nil,
                      pid: Int32) async throws -> Running {
        guard Self.isLoopback(apiEndpoint.host) else {
            throw HealthSyncError(.configInvalid, "The control API must listen on the loopback interface, not \(apiEndpoint.host)",
                                  hint: "Set api.host to 127.0.0.1 (`healthsync config set api.host 127.0.0.1`).")
        }
        let identity = try IdentityService(deps).ensureIdentity()
        let token = try record.ensureToken()
        let discoveryPort = deps.settings.discoveryEnabled ? (discoveryPort ?? deps.settings.discoveryPort) : nil
        var opened: [any TransportListener] = []
        do {
            let peers = try await PeerService(deps, pairing: host).listen(on: peerEndpoint)
            opened.append(peers)
            // The router needs the final addresses; it is set once every socket is bound.
            let router = RouterBox()
            let api = try await deps.control.serve(on: apiEndpoint) { request in await router.handle(request) }
            opened.append(api)
            var discovery: (any TransportListener)?
            if let discoveryPort {
                let answering = try await deps.discovery.answer(
                    on: Endpoint(host: peerEndpoint.host, port: discoveryPort),
                    with: DiscoveryAnnouncement(name: deps.deviceName, deviceID: identity.deviceID, port: peers.endpoint.port,
                                                version: deps.version))
                opened.append(answering)
                discovery = answering
            }
            let info = DaemonInfo(pid: pid, deviceID: identity.deviceID, peer: peers.endpoint, api: api.endpoint,
                                  discovery: discovery?.endpoint, startedAt: deps.clock.now(), version: deps.version)
            router.set(ControlAPI(deps, host: host, token: token, info: info,
                                  advertised: Endpoint(host: advertiseHost, port: peers.endpoint.port), stateDir: stateDir))
            try record.publish(info)
            return Running(info: info, peers: peers, serving: identity.serverCertificate.fingerprint, api: api,
                           discovery: discovery, record: record, host: host, deps: deps)
        } catch {
            for listener in opened.reversed() { await listener.close() }
            throw error
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// The control router, set once the listener's address is known; requests
/// that arrive before that are told the daemon is starting.
private final class RouterBox: Sendable {
    private let router = Mutex<ControlAPI?>(nil)

    func set(_ api: ControlAPI) { router.withLock { $0 = api } }

    func handle(_ request: ControlRequest) async -> WireResponse {
        guard let api = router.withLock({ $0 }) else {
            return WireResponse(error: HealthSyncError(.daemonUnreachable, "The daemon is still starting"))
        }
        return await api.handle(request)
    }
}
