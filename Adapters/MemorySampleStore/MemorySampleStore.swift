import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// The `SampleStore` port in memory, kept sorted by (start, id).
public final class MemorySampleStore: SampleStore {
    private let samples = Mutex<[String: HealthSample]>([:])

    public init() {}

    public func upsert(_ newSamples: [HealthSample]) throws {
        samples.withLock { stored in
            for sample in newSamples { stored[sample.id] = sample }
        }
    }

    public func query(_ query: SampleQuery) throws -> SamplePage {
        let matching = samples.withLock { stored in
            stored.values.filter(query.matches).sorted {
                let left = $0.startDate.millisecondsSince1970, right = $1.startDate.millisecondsSince1970
                return left == right ? $0.id < $1.id : left < right
            }
        }
        let page = Array(matching.prefix(query.limit))
        let next = matching.count > query.limit ? page.last.map(SampleCursor.init(after:)) : nil
        return SamplePage(samples: page, nextCursor: next)
    }

    public func count(types: [HealthDataType]?) throws -> Int {
        samples.withLock { stored in
            guard let types else { return stored.count }
            return stored.values.filter { types.contains($0.type) }.count
        }
    }

    public func removeAll() throws { samples.withLock { $0.removeAll() } }
}
