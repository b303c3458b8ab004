import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// An `EntropySource` fake: a deterministic stream from a seed.
public final class SeededEntropy: EntropySource {
    private let generator: Mutex<SplitMix64>

    public init(seed: UInt64) { generator = Mutex(SplitMix64(seed: seed)) }

    public func bytes(_ count: Int) throws -> [UInt8] {
        generator.withLock { generator in
            (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        }
    }
}
