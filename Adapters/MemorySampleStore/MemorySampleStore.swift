import FoundationEssentials
import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// The `SampleStore` port in memory: samples by ID with the sequence number
/// of their last change, and sync positions by device.
public final class MemorySampleStore: SampleStore {
    private struct State {
        var samples: [String: (sample: HealthSample, sequence: Int64)] = [:]
        var sequence: Int64 = 0
        var positions: [DeviceID: SyncRecord] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func upsert(_ newSamples: [HealthSample], repeatsAfter: Int64) throws -> UpsertCounts {
        state.withLock { state in
            var counts = UpsertCounts()
            for sample in newSamples {
                if let stored = state.samples[sample.id] {
                    if stored.sample == sample {
                        if stored.sequence > repeatsAfter { counts.repeated += 1 } else { counts.unchanged += 1 }
                        continue
                    }
                    counts.updated += 1
                } else {
                    counts.inserted += 1
                }
                state.sequence += 1
                state.samples[sample.id] = (sample, state.sequence)
            }
            return counts
        }
    }

    public func latestSequence() throws -> Int64 { state.withLock { $0.sequence } }

    public func countByType(since: Date?, until: Date?) throws -> [HealthDataType: Int] {
        state.withLock { state in
            state.samples.values.reduce(into: [:]) { counts, entry in
                if let since, entry.sample.startDate < since { return }
                if let until, entry.sample.startDate >= until { return }
                counts[entry.sample.type, default: 0] += 1
            }
        }
    }

    public func query(_ query: SampleQuery) throws -> SamplePage {
        let matching = state.withLock { state in
            state.samples.values.map(\.sample).filter(query.matches).sorted(by: query.orders)
        }
        let page = Array(matching.prefix(query.limit))
        let next = matching.count > query.limit ? page.last.map(SampleCursor.init(after:)) : nil
        return SamplePage(samples: page, nextCursor: next)
    }

    public func count(types: [HealthDataType]?) throws -> Int {
        state.withLock { state in
            guard let types else { return state.samples.count }
            return state.samples.values.filter { types.contains($0.sample.type) }.count
        }
    }

    public func removeAll() throws {
        state.withLock { state in
            state.samples.removeAll()
            state.positions.removeAll()
        }
    }

    public func changes(after: Int64, types: [HealthDataType]?, limit: Int) throws -> SampleChanges {
        guard (1...SampleChanges.maxLimit).contains(limit) else {
            throw HealthSyncError(.invalidArgument, "limit must be between 1 and \(SampleChanges.maxLimit)")
        }
        let newer = state.withLock { state in
            state.samples.values.filter { $0.sequence > after && types?.contains($0.sample.type) != false }
                .sorted { $0.sequence < $1.sequence }
        }
        let page = newer.prefix(limit)
        return SampleChanges(samples: page.map(\.sample), last: page.last?.sequence ?? after, more: newer.count > limit)
    }

    public func syncRecord(for device: DeviceID) throws -> SyncRecord { state.withLock { $0.positions[device] ?? SyncRecord() } }

    public func setSyncPosition(_ position: Int64, for device: DeviceID, at time: Date, received: Int) throws {
        state.withLock { state in
            let before = state.positions[device]?.received ?? 0
            state.positions[device] = SyncRecord(position: position, lastSync: time, received: before + received)
        }
    }
}
