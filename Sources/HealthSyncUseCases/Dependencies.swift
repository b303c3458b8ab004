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
    public let bus: EventBus
    /// This device's name as peers see it.
    public let deviceName: String
    /// The types paired devices may read (`share.types`).
    public let sharedTypes: [HealthDataType]
    public let version: String

    public init(keyStore: any KeyStore, sampleStore: any SampleStore, crypto: any Crypto,
                entropy: any EntropySource, clock: any WallClock, files: any FileSystem, bus: EventBus,
                deviceName: String, sharedTypes: [HealthDataType], version: String) {
        self.keyStore = keyStore
        self.sampleStore = sampleStore
        self.crypto = crypto
        self.entropy = entropy
        self.clock = clock
        self.files = files
        self.bus = bus
        self.deviceName = deviceName
        self.sharedTypes = sharedTypes
        self.version = version
    }
}
