import HealthSyncDomain
import HealthSyncPorts
import HealthSyncWire
import Synchronization

/// An in-memory network shared by the devices of one process: peer
/// listeners, control APIs and discovery answers register by port;
/// connections call them directly. Like one machine's loopback interface,
/// any host name reaches the same ports.
public final class LoopbackNetwork: Sendable {
    struct Listening: Sendable {
        let id: Int
        let credentials: TransportCredentials
        let clientAnchor: Certificate
        let router: PeerRouter
    }

    /// What is bound to each port, with the ID of its registration, so a late
    /// close cannot unbind whoever took the port next.
    struct PortTable<Value: Sendable>: Sendable {
        var entries: [Int: (id: Int, value: Value)] = [:]
    }

    private struct State {
        var listeners = PortTable<Listening>()
        var control = PortTable<ControlRouter>()
        /// Control APIs on "Unix sockets": by path.
        var controlSockets: [String: (id: Int, router: ControlRouter)] = [:]
        var announcements = PortTable<DiscoveryAnnouncement>()
        var silent: Set<Int> = []
        /// Devices joined to in-memory relays: by relay endpoint and relay ID.
        var relayMembers: [String: Listening] = [:]
        /// Relays that are down (by endpoint).
        var relaysDown: Set<Endpoint> = []
        /// What in-memory discovery servers hold: by server endpoint, then device.
        var globalRecords: [Endpoint: [SyncthingDeviceID: [GlobalAddress]]] = [:]
        var discoveryDown: Set<Endpoint> = []
        /// In-memory mailbox servers: nameplates by server, and their mailboxes' messages.
        var nameplates: [Endpoint: [String: Int]] = [:]
        var mailboxes: [Int: [(side: String, message: RendezvousMessage)]] = [:]
        var localAddresses: [String] = []
        var nextPort = 40_000
        var nextID = 0

        func isTaken(_ port: Int) -> Bool {
            listeners.entries[port] != nil || control.entries[port] != nil || announcements.entries[port] != nil
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// A network for every device of the process that is not given one.
    public static let shared = LoopbackNetwork()

    /// Binds `make(id)` to `requested` in `table` (0: a port free in every
    /// table); `inUse` is the hint when the port is taken.
    private func bind<Value>(_ table: WritableKeyPath<State, PortTable<Value>>, port requested: Int, kind: String,
                             inUse: String, _ make: (Int) -> Value) throws -> (port: Int, id: Int) {
        try state.withLock { state in
            var port = requested
            if port == 0 {
                while state.isTaken(state.nextPort) { state.nextPort += 1 }
                port = state.nextPort
                state.nextPort += 1
            }
            guard state[keyPath: table].entries[port] == nil else {
                throw HealthSyncError(.invalidArgument, "\(kind) port \(port) is already in use", hint: inUse)
            }
            state.nextID += 1
            state[keyPath: table].entries[port] = (state.nextID, make(state.nextID))
            return (port, state.nextID)
        }
    }

    private func unbind<Value>(_ table: WritableKeyPath<State, PortTable<Value>>, port: Int, id: Int) {
        state.withLock { state in
            if state[keyPath: table].entries[port]?.id == id { state[keyPath: table].entries[port] = nil }
        }
    }

    private func value<Value>(_ table: KeyPath<State, PortTable<Value>>, port: Int) -> Value? {
        state.withLock { $0[keyPath: table].entries[port]?.value }
    }

    // MARK: Peer listeners

    func register(port: Int, credentials: TransportCredentials, clientAnchor: Certificate,
                  router: PeerRouter) throws -> (port: Int, id: Int) {
        try bind(\.listeners, port: port, kind: "TCP", inUse: "Choose another port, or 0 to let the system choose.") { id in
            Listening(id: id, credentials: credentials, clientAnchor: clientAnchor, router: router)
        }
    }

    func unregister(port: Int, id: Int) { unbind(\.listeners, port: port, id: id) }

    func listener(port: Int) -> Listening? { value(\.listeners, port: port) }

    func isListening(port: Int, id: Int) -> Bool { listener(port: port)?.id == id }

    func isSilent(port: Int) -> Bool { state.withLock { $0.silent.contains(port) } }

    // MARK: Relays

    static func relayKey(_ relay: ReachServer, _ peer: SyncthingDeviceID) -> String { "\(relay.endpoint)|\(peer)" }

    /// Joins a device to an in-memory relay (the newest join wins, as a
    /// relay replaces a stale permanent connection).
    func joinRelay(_ key: String, credentials: TransportCredentials, clientAnchor: Certificate, router: PeerRouter) -> Int {
        state.withLock { state in
            state.nextID += 1
            state.relayMembers[key] = Listening(id: state.nextID, credentials: credentials, clientAnchor: clientAnchor, router: router)
            return state.nextID
        }
    }

    func leaveRelay(_ key: String, id: Int) {
        state.withLock { state in
            if state.relayMembers[key]?.id == id { state.relayMembers[key] = nil }
        }
    }

    func relayMember(_ key: String) -> Listening? { state.withLock { $0.relayMembers[key] } }

    func isRelayDown(_ endpoint: Endpoint) -> Bool { state.withLock { $0.relaysDown.contains(endpoint) } }

    /// Takes an in-memory relay down (`up: false`: every member is dropped) or back up.
    public func setRelay(_ endpoint: Endpoint, up: Bool) {
        state.withLock { state in
            if up { state.relaysDown.remove(endpoint) } else {
                state.relaysDown.insert(endpoint)
                state.relayMembers = state.relayMembers.filter { !$0.key.hasPrefix("\(endpoint)|") }
            }
        }
    }

    // MARK: Global discovery

    /// Keeps `addresses` for `device` on the server at `server` (source-relative ones made `localhost`).
    func announce(_ addresses: [GlobalAddress], for device: SyncthingDeviceID, on server: Endpoint) throws {
        try state.withLock { state in
            guard !state.discoveryDown.contains(server) else {
                throw HealthSyncError(.deviceNotFound, "Cannot reach the discovery server https://\(server)")
            }
            state.globalRecords[server, default: [:]][device] = addresses.map {
                guard $0.isSourceRelative, case .tcp(let endpoint) = $0 else { return $0 }
                return .tcp(Endpoint(host: "localhost", port: endpoint.port))
            }
        }
    }

    func lookup(_ device: SyncthingDeviceID, on server: Endpoint) throws -> [GlobalAddress] {
        try state.withLock { state in
            guard !state.discoveryDown.contains(server) else {
                throw HealthSyncError(.deviceNotFound, "Cannot reach the discovery server https://\(server)")
            }
            return state.globalRecords[server]?[device] ?? []
        }
    }

    /// Takes an in-memory discovery server down (`up: false`: it forgets everything) or back up.
    public func setDiscoveryServer(_ endpoint: Endpoint, up: Bool) {
        state.withLock { state in
            if up { state.discoveryDown.remove(endpoint) } else {
                state.discoveryDown.insert(endpoint)
                state.globalRecords[endpoint] = nil
            }
        }
    }

    // MARK: Rendezvous

    /// The lowest free nameplate on `server`, with a new mailbox.
    func allocateNameplate(on server: Endpoint) -> (String, Int) {
        state.withLock { state in
            var number = 1
            while state.nameplates[server]?["\(number)"] != nil { number += 1 }
            state.nextID += 1
            state.nameplates[server, default: [:]]["\(number)"] = state.nextID
            state.mailboxes[state.nextID] = []
            return ("\(number)", state.nextID)
        }
    }

    /// The mailbox of `nameplate`; a nameplate nobody allocated is made on
    /// the spot, as the real server does (its mailbox stays empty).
    func claimNameplate(_ nameplate: String, on server: Endpoint) -> Int {
        state.withLock { state in
            if let mailbox = state.nameplates[server]?[nameplate] { return mailbox }
            state.nextID += 1
            state.nameplates[server, default: [:]][nameplate] = state.nextID
            state.mailboxes[state.nextID] = []
            return state.nextID
        }
    }

    func releaseNameplate(_ nameplate: String, on server: Endpoint, mailbox: Int) {
        state.withLock { state in
            if state.nameplates[server]?[nameplate] == mailbox { state.nameplates[server]?[nameplate] = nil }
            if !(state.nameplates[server]?.values.contains(mailbox) ?? false) { state.mailboxes[mailbox] = nil }
        }
    }

    func post(_ message: RendezvousMessage, from side: String, to mailbox: Int) throws {
        try state.withLock { state in
            guard state.mailboxes[mailbox] != nil else { throw HealthSyncError(.deviceNotFound, "The mailbox is closed") }
            state.mailboxes[mailbox]?.append((side, message))
        }
    }

    /// The messages of `mailbox` from sides other than `side`.
    func messages(in mailbox: Int, notFrom side: String) -> [RendezvousMessage]? {
        state.withLock { state in state.mailboxes[mailbox].map { $0.filter { $0.side != side }.map(\.message) } }
    }

    /// Rewrites what the mailbox of `nameplate` holds, as a lying server would (tests only).
    public func tamper(nameplate: String, on server: Endpoint, _ rewrite: @Sendable (RendezvousMessage) -> RendezvousMessage) {
        state.withLock { state in
            guard let mailbox = state.nameplates[server]?[nameplate] else { return }
            state.mailboxes[mailbox] = state.mailboxes[mailbox]?.map { ($0.side, rewrite($0.message)) }
        }
    }

    /// The nameplates in use on an in-memory mailbox server (a test checks they are released).
    public func nameplates(on server: Endpoint) -> [String] {
        state.withLock { state in (state.nameplates[server] ?? [:]).keys.sorted() }
    }

    /// The network addresses the devices of this network say they have
    /// (none by default), as a test moves them between networks.
    public var localAddresses: [String] {
        get { state.withLock { $0.localAddresses } }
        set { state.withLock { $0.localAddresses = newValue } }
    }

    /// Makes a port swallow connections without answering (to test timeouts).
    public func silence(port: Int) { _ = state.withLock { $0.silent.insert(port) } }

    // MARK: Control APIs

    func registerControl(port: Int, router: ControlRouter) throws -> (port: Int, id: Int) {
        try bind(\.control, port: port, kind: "TCP",
                 inUse: "Is another daemon running? Choose another port (--api-port), or 0.") { _ in router }
    }

    func unregisterControl(port: Int, id: Int) { unbind(\.control, port: port, id: id) }

    func controlRouter(port: Int) -> ControlRouter? { value(\.control, port: port) }

    func registerControl(socket path: String, router: ControlRouter) throws -> Int {
        try state.withLock { state in
            guard state.controlSockets[path] == nil else {
                throw HealthSyncError(.invalidArgument, "\(path) is already in use",
                                      hint: "Is another daemon running with this state directory?")
            }
            state.nextID += 1
            state.controlSockets[path] = (state.nextID, router)
            return state.nextID
        }
    }

    func unregisterControl(socket path: String, id: Int) {
        state.withLock { state in
            if state.controlSockets[path]?.id == id { state.controlSockets[path] = nil }
        }
    }

    func controlRouter(socket path: String) -> ControlRouter? { state.withLock { $0.controlSockets[path]?.router } }

    // MARK: Discovery

    func registerAnnouncement(port: Int, _ announcement: DiscoveryAnnouncement) throws -> (port: Int, id: Int) {
        try bind(\.announcements, port: port, kind: "UDP", inUse: "Choose another port (--discovery-port), or 0.") { _ in
            announcement
        }
    }

    func unregisterAnnouncement(port: Int, id: Int) { unbind(\.announcements, port: port, id: id) }

    func updateAnnouncement(port: Int, id: Int, _ announcement: DiscoveryAnnouncement) {
        state.withLock { state in
            if state.announcements.entries[port]?.id == id { state.announcements.entries[port] = (id, announcement) }
        }
    }

    func announcement(port: Int) -> DiscoveryAnnouncement? { value(\.announcements, port: port) }
}
