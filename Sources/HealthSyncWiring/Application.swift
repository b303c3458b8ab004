import Foundation
import HealthSyncBus
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
@_exported import class LoopbackTransport.LoopbackNetwork

/// A wired HealthSync device: the configuration it was built from, the
/// ports' adapters, the bus, and the presenter for its output.
public struct Application: Sendable {
    public static let version = "1.0.0"

    public let config: Config
    public let stateDir: String
    public let dependencies: Dependencies
    public let presenter: any Presenter
    /// The sharing side's pairing state: one per device, shared by every request.
    public let pairingHost: PairingHost
    public var bus: EventBus { dependencies.bus }

    public var identity: IdentityService { IdentityService(dependencies) }
    public var certificates: CertificateService { CertificateService(dependencies) }
    public var devices: DeviceService { DeviceService(dependencies) }
    public var samples: SampleService { SampleService(dependencies) }
    public var peerService: PeerService { PeerService(dependencies, pairing: pairingHost) }
    public var joining: PairingGuest { PairingGuest(dependencies) }
    public var fetching: FetchService { FetchService(dependencies) }
    public var unpairing: UnpairService { UnpairService(dependencies) }
    /// `daemon.json` and the API token; nothing on disk for in-memory devices.
    public var daemonRecord: DaemonRecord {
        DaemonRecord(dependencies, path: config.keystore.adapter == .memory ? nil : stateDir + "/daemon.json")
    }
    public var qr: QRService { QRService(dependencies) }
    public var discovery: DiscoveryService { DiscoveryService(dependencies) }
    public var syncing: SyncService { SyncService(dependencies) }
    public var importing: ImportService { ImportService(dependencies) }
    public var daemonClient: DaemonClient { DaemonClient(dependencies, record: daemonRecord) }
    public var daemon: DaemonService {
        DaemonService(dependencies, host: pairingHost, record: daemonRecord, stateDir: stateDir)
    }
}

/// What tests may substitute beyond the configuration: time and randomness.
public struct Overrides: Sendable {
    public var clock: (any WallClock)?
    public var entropy: (any EntropySource)?
    /// The in-memory network loopback devices share (default: one per process).
    public var network: LoopbackNetwork?
    /// PBKDF2 iterations for SPAKE2+ (tests lower it to stay fast).
    public var pbkdf2Iterations: Int?

    public init(clock: (any WallClock)? = nil, entropy: (any EntropySource)? = nil, network: LoopbackNetwork? = nil,
                pbkdf2Iterations: Int? = nil) {
        self.clock = clock
        self.entropy = entropy
        self.network = network
        self.pbkdf2Iterations = pbkdf2Iterations
    }
}
