import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts

/// Filling the local sample store.
public struct SampleService: Sendable {
    public static let maxDays = 3_650
    private static let batchSize = 5_000
    private let deps: Dependencies

    public init(_ deps: Dependencies) { self.deps = deps }

    /// Deterministic demo data for every type over the last `days` whole
    /// days; running it twice on the same day adds nothing.
    public func generate(days: Int) throws -> GenerateReport {
        guard (1...Self.maxDays).contains(days) else {
            throw HealthSyncError(.invalidArgument, "--days must be between 1 and \(Self.maxDays)")
        }
        let samples = DemoDataGenerator().samples(days: days, endingBefore: deps.clock.now())
        var index = 0
        while index < samples.count {
            try deps.sampleStore.upsert(Array(samples[index..<min(index + Self.batchSize, samples.count)]))
            index += Self.batchSize
        }
        deps.bus.publish(.samplesGenerated(count: samples.count, days: days))
        return GenerateReport(generated: samples.count, days: days,
                              types: Set(samples.map(\.type)).count,
                              from: samples.map(\.startDate).min(), to: samples.map(\.endDate).max(),
                              totalStored: try deps.sampleStore.count(types: nil))
    }
}
