import Foundation
import HealthSyncBus
import HealthSyncDomain
import HealthSyncPorts
import HealthSyncUseCases

/// A wired HealthSync device: the configuration it was built from, the
/// ports' adapters, the bus, and the presenter for its output.
public struct Application: Sendable {
    public static let version = "1.0.0"

    public let config: Config
    public let stateDir: String
    public let dependencies: Dependencies
    public let presenter: any Presenter
    public var bus: EventBus { dependencies.bus }

    public var identity: IdentityService { IdentityService(dependencies) }
    public var certificates: CertificateService { CertificateService(dependencies) }
    public var devices: DeviceService { DeviceService(dependencies) }
    public var samples: SampleService { SampleService(dependencies) }
}

/// What tests may substitute beyond the configuration: time and randomness.
public struct Overrides: Sendable {
    public var clock: (any WallClock)?
    public var entropy: (any EntropySource)?

    public init(clock: (any WallClock)? = nil, entropy: (any EntropySource)? = nil) {
        self.clock = clock
        self.entropy = entropy
    }
}
