import Foundation
import HealthSyncBus
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases
import SampleJSONSupport
import TerminalPrompt
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
    /// The person at the terminal (a scripted prompt in tests).
    let terminalPrompt: any UserPrompt
    public var bus: EventBus { dependencies.bus }

    /// Who answers pairing requests: the person at the terminal, or with
    /// `autoAccept` (`--yes`) nobody needs to.
    public func prompt(autoAccept: Bool) -> any UserPrompt {
        autoAccept ? AutoAcceptPrompt(wrapping: terminalPrompt) : terminalPrompt
    }

    public var identity: IdentityService { IdentityService(dependencies) }
    public var certificates: CertificateService { CertificateService(dependencies) }
    public var devices: DeviceService { DeviceService(dependencies) }
    public var samples: SampleService { SampleService(dependencies) }
    public var localSamples: LocalSamplesService { LocalSamplesService(dependencies) }

    /// The writer of `format` (nil for `table`, which is no document).
    /// The writer of `format`'s documents (nil for a table); `id` names a FHIR Bundle.
    public func sampleEncoder(_ format: SampleFormat, id: String = "healthsync-export") -> (any SampleEncoder)? {
        SampleDocument.Format(rawValue: format.rawValue).map {
            SampleDocument(format: $0, id: id, timestamp: dependencies.clock.now())
        }
    }
    public var peerService: PeerService { PeerService(dependencies, pairing: pairingHost) }
    public var joining: PairingGuest { PairingGuest(dependencies) }
    public var fetching: FetchService { FetchService(dependencies) }
    public var unpairing: UnpairService { UnpairService(dependencies) }
    /// `daemon.json`, its lock, the control socket and the API token;
    /// nothing on disk for in-memory devices.
    public var daemonRecord: DaemonRecord {
        DaemonRecord(dependencies, stateDir: stateDir, onDisk: config.keystore.adapter != .memory)
    }
    public var qr: QRService { QRService(dependencies) }
    public var discovery: DiscoveryService { DiscoveryService(dependencies) }
    public var syncing: SyncService { SyncService(dependencies) }
    public var importing: ImportService { ImportService(dependencies) }
    public var daemonClient: DaemonClient { DaemonClient(dependencies, address: daemonRecord.control) }
    /// `pair` alone: a session through the running daemon.
    public var relay: PairingRelay { PairingRelay(dependencies, client: daemonClient) }
    /// `share`: a session in this process.
    public var sharing: SharingSession { SharingSession(dependencies, host: pairingHost) }
    public var daemon: DaemonService {
        DaemonService(dependencies, host: pairingHost, record: daemonRecord, stateDir: stateDir)
    }
}

/// What tests may substitute beyond the configuration: time, randomness,
/// the in-memory network and the person at the terminal.
public struct Overrides: Sendable {
    public var clock: (any WallClock)?
    public var entropy: (any EntropySource)?
    /// The in-memory network loopback devices share (default: one per process).
    public var network: LoopbackNetwork?
    /// PBKDF2 iterations for SPAKE2+ (tests lower it to stay fast).
    public var pbkdf2Iterations: Int?
    /// Answers in place of the person at the terminal (a scripted prompt).
    public var prompt: (any UserPrompt)?

    public init(clock: (any WallClock)? = nil, entropy: (any EntropySource)? = nil, network: LoopbackNetwork? = nil,
                pbkdf2Iterations: Int? = nil, prompt: (any UserPrompt)? = nil) {
        self.clock = clock
        self.entropy = entropy
        self.network = network
        self.pbkdf2Iterations = pbkdf2Iterations
        self.prompt = prompt
    }
}
