import FoundationEssentials
import HealthSyncBus
import HealthSyncDomain
import HealthSyncPorts

/// The ports and settings every use case works with, handed over by the
/// composition root. Use cases never construct adapters.
public struct Dependencies: Sendable {
    public let keyStore: any KeyStore
    public let sampleStore: any SampleStore
    public let crypto: any Crypto
    public let entropy: any EntropySource
    public let clock: any WallClock
    public let files: any FileSystem
    public let transport: any Transport
    /// Between the CLI and a running daemon.
    public let control: any ControlChannel
    /// Finding devices on the local network.
    public let discovery: any LocalDiscovery
    /// Finding paired devices beyond it (`reach.discovery`).
    public let globalDiscovery: any GlobalDiscovery
    /// Meeting a device that types our code, beyond the network (`reach.mailbox`).
    public let rendezvous: any Rendezvous
    public let pake: any PasswordKeyExchange
    public let qrEncoder: any QREncoder
    public let qrImages: any QRImageCodec
    /// Apple Health exports, for `samples import`.
    public let exportReader: any HealthExportReader
    /// The desktop clipboard, for `scan`.
    public let clipboard: any ClipboardReader
    public let bus: EventBus
    public let settings: Settings
    /// This device's name as peers see it.
    public let deviceName: String
    /// The types paired devices may read (`share.types`).
    public let sharedTypes: [HealthDataType]
    public let version: String

    public init(keyStore: any KeyStore, sampleStore: any SampleStore, crypto: any Crypto,
                entropy: any EntropySource, clock: any WallClock, files: any FileSystem, transport: any Transport,
                control: any ControlChannel, discovery: any LocalDiscovery, globalDiscovery: any GlobalDiscovery,
                rendezvous: any Rendezvous, pake: any PasswordKeyExchange,
                qrEncoder: any QREncoder, qrImages: any QRImageCodec, exportReader: any HealthExportReader, clipboard: any ClipboardReader,
                bus: EventBus, settings: Settings,
                deviceName: String, sharedTypes: [HealthDataType], version: String) {
        self.keyStore = keyStore
        self.sampleStore = sampleStore
        self.crypto = crypto
        self.entropy = entropy
        self.clock = clock
        self.files = files
        self.transport = transport
        self.control = control
        self.discovery = discovery
        self.globalDiscovery = globalDiscovery
        self.rendezvous = rendezvous
        self.pake = pake
        self.qrEncoder = qrEncoder
        self.qrImages = qrImages
        self.exportReader = exportReader
        self.clipboard = clipboard
        self.bus = bus
        self.settings = settings
        self.deviceName = deviceName
        self.sharedTypes = sharedTypes
        self.version = version
    }
}

/// The settings use cases need from the configuration.
public struct Settings: Sendable {
    /// How long a pairing code and token live.
    public var codeTTLSeconds: Int
    /// Failed codes in 15 minutes before new sessions back off.
    public var maxFailedCodes: Int
    /// PBKDF2 iterations for SPAKE2+ (sent to the joiner with the salt).
    public var pbkdf2Iterations: Int
    /// How long to wait for a peer.
    public var timeoutMilliseconds: Int
    /// How long to wait for a peer, as a duration.
    public var timeout: Duration { .milliseconds(timeoutMilliseconds) }
    /// How long a joiner waits for the sharing user to accept: a person's answer.
    public var decisionTimeout: Duration = .seconds(600)
    /// How long a join through the daemon may take: the decision and the exchange.
    public var joinTimeout: Duration { decisionTimeout + .seconds(60) }
    /// The port a host given without one is dialled on.
    public static let defaultPeerPort = 8443
    /// Whether the peer's certificate must name the address dialled.
    public var strictHost: Bool
    /// Where the paired sharing device was last seen, if configured.
    public var serverEndpoint: Endpoint?
    /// Where the daemon's control API listens unless `daemon.json` says otherwise.
    public var apiEndpoint: Endpoint
    /// Whether a daemon answers discovery probes, and on which UDP port.
    public var discoveryEnabled: Bool
    public var discoveryPort: Int
    /// Where `discover` and the search for a paired device by its ID ask
    /// (`discovery.targets`); nil: the adapter's multicast or broadcast groups.
    public var discoveryTargets: [Endpoint]?
    /// Syncthing relays the daemon stays joined to, and a joiner goes
    /// through when no direct address answers (`reach.relays`).
    public var relays: [ReachServer] = []
    /// Syncthing global discovery servers the daemon announces itself to,
    /// and a device asks when no known address answers (`reach.discovery`).
    public var discoveryServers: [ReachServer] = []
    /// The magic-wormhole mailbox code pairing meets through (`reach.mailbox`).
    public var mailbox: MailboxServer?
    /// Whether a first sync into an empty store may be one transaction held
    /// across its pages (`SampleStore.upsertStream`): only in a process with no
    /// other writer of the store in it (a command). In a daemon, syncs from
    /// several peers at once would each hold a cooperative thread waiting for
    /// the store while the one transaction open waits for its pages.
    public var bulkFirstSync = false

    public init(codeTTLSeconds: Int = 300, maxFailedCodes: Int = 3, pbkdf2Iterations: Int = 100_000,
                timeoutMilliseconds: Int = 10_000, strictHost: Bool = false, serverEndpoint: Endpoint? = nil,
                apiEndpoint: Endpoint = Endpoint(host: "127.0.0.1", port: 9778), discoveryEnabled: Bool = true,
                discoveryPort: Int = 9779, discoveryTargets: [Endpoint]? = nil) {
        self.codeTTLSeconds = codeTTLSeconds
        self.maxFailedCodes = maxFailedCodes
        self.pbkdf2Iterations = pbkdf2Iterations
        self.timeoutMilliseconds = timeoutMilliseconds
        self.strictHost = strictHost
        self.serverEndpoint = serverEndpoint
        self.apiEndpoint = apiEndpoint
        self.discoveryEnabled = discoveryEnabled
        self.discoveryPort = discoveryPort
        self.discoveryTargets = discoveryTargets
    }
}

extension Dependencies {
    /// Where discovery asks for devices: `discovery.targets` when set, else
    /// the adapter's multicast or broadcast groups on `discovery.port`.
    var discoveryTargets: [Endpoint] {
        settings.discoveryTargets ?? discovery.broadcastTargets(port: settings.discoveryPort)
    }
}

extension Dependencies {
    /// A connection through `route` as `loaded`'s relay identity. When the
    /// device is not found there, it is asked for once more a second later:
    /// a daemon joins again to present a renewed certificate (or after the
    /// relay restarted), and a joiner that asked in between would otherwise
    /// be told it is not there.
    func connect(through route: RelayRoute, as loaded: LoadedIdentity, credentials: TransportCredentials?,
                 anchor: TrustAnchor, timeout: Duration) async throws -> any PeerLink {
        let identity = PeerCredentials.relayIdentity(loaded)
        do {
            return try await transport.connect(through: route, identity: identity, credentials: credentials, anchor: anchor,
                                               timeout: timeout)
        } catch let error as HealthSyncError where error.code == .deviceNotFound {
            try await Task.sleep(for: Self.rejoinGrace)
            return try await transport.connect(through: route, identity: identity, credentials: credentials, anchor: anchor,
                                               timeout: timeout)
        }
    }

    static var rejoinGrace: Duration { .seconds(1) }
}
