import FoundationEssentials
import HealthSyncDomain

/// The health samples this device holds and serves.
///
/// Throws only `HealthSyncError` (`STORAGE_FAILURE` for I/O, `KEYSTORE_CORRUPT`
/// never). Pages are ordered by (startDate, id) and a cursor continues right
/// after the last sample of the previous page, so paging sees every matching
/// sample exactly once even while new samples are added before the cursor.
public protocol SampleStore: Sendable {
    /// Inserts samples, replacing those with the same ID; all or nothing.
    /// Says how many were new, changed, or identical to the stored one; an
    /// identical one whose stored copy was written after sequence number
    /// `repeatsAfter` (the `latestSequence()` taken when a run of upserts
    /// began) counts as `repeated`: the run itself stored it before.
    func upsert(_ samples: [HealthSample], repeatsAfter: Int64) throws -> UpsertCounts
    /// Upserts every batch `produce` hands to the function it is given, as
    /// `upsert(_:repeatsAfter:)` would one after the other, in as few
    /// transactions as the store holds well (each of many batches), possibly
    /// written on another thread while `produce` makes the next batch. When
    /// it returns, every batch handed over is stored; when `produce` or a
    /// write throws, the transaction under way is rolled back (batches of
    /// transactions committed before it stay) and the error is thrown.
    /// Returns the counts of all the batches together. `produce` must not
    /// write to this store itself (the writer it would wait for is this one).
    func upsertBatches(repeatsAfter: Int64,
                       _ produce: (_ store: ([HealthSample]) throws -> Void) throws -> Void) throws -> UpsertCounts
    /// `upsertBatches(repeatsAfter:_:)` for a `produce` that awaits its
    /// batches (a first sync's pages, each asked of a peer while the one before
    /// it is written): the same counts and the same all-or-nothing per
    /// transaction; a store that writes on another thread may block the
    /// caller while that thread catches up.
    func upsertStream(repeatsAfter: Int64,
                      _ produce: (_ store: ([HealthSample]) throws -> Void) async throws -> Void) async throws -> UpsertCounts
    /// The highest sequence number given so far (0 for an empty store).
    func latestSequence() throws -> Int64
    /// One page of samples matching the query, at most `query.limit`; the
    /// page's `nextCursor` is nil when no matching sample follows.
    func query(_ query: SampleQuery) throws -> SamplePage
    /// How many samples are stored (of the given types, or all).
    func count(types: [HealthDataType]?) throws -> Int
    /// How many samples are stored per type, of those starting in [since, until).
    func countByType(since: Date?, until: Date?) throws -> [HealthDataType: Int]
    /// Deletes every sample (and every sync position).
    func removeAll() throws

    /// Samples of `types` (of every type when nil) stored or changed after
    /// sequence number `after`, in sequence order, at most `limit`
    /// (1…`SampleChanges.maxLimit`). Storing a sample identical to the
    /// stored one is not a change.
    func changes(after: Int64, types: [HealthDataType]?, limit: Int) throws -> SampleChanges

    /// Records how far samples from `device` have been received, at `time`,
    /// adding `received` to the samples counted as having come from it.
    func setSyncPosition(_ position: Int64, for device: DeviceID, at time: Date, received: Int) throws
    /// Upserts `samples` (as `upsert(_:)`) and records `position` for
    /// `device` at `time`, adding the samples that were new or changed to
    /// its received count, together: a sync interrupted between two pages
    /// resumes right after the last page stored, and counts it once.
    /// Returns how many were new or changed.
    func upsert(_ samples: [HealthSample], syncedTo position: Int64, from device: DeviceID, at time: Date) throws -> Int
    /// The position, last sync time and received count for `device` (zeros before the first sync).
    func syncRecord(for device: DeviceID) throws -> SyncRecord
}

extension SampleStore {
    /// One transaction per batch, on the caller's thread: for stores where a transaction costs nothing.
    public func upsertBatches(repeatsAfter: Int64,
                              _ produce: (_ store: ([HealthSample]) throws -> Void) throws -> Void) throws -> UpsertCounts {
        var counts = UpsertCounts()
        try produce { counts += try upsert($0, repeatsAfter: repeatsAfter) }
        return counts
    }

    /// One transaction per batch, on the caller's thread.
    public func upsertStream(repeatsAfter: Int64,
                             _ produce: (_ store: ([HealthSample]) throws -> Void) async throws -> Void) async throws -> UpsertCounts {
        var counts = UpsertCounts()
        try await produce { counts += try upsert($0, repeatsAfter: repeatsAfter) }
        return counts
    }

    public func syncPosition(for device: DeviceID) throws -> Int64 { try syncRecord(for: device).position }

    /// How many samples are stored per type.
    public func countByType() throws -> [HealthDataType: Int] { try countByType(since: nil, until: nil) }

    /// `upsert(_:)` then `setSyncPosition`: for stores whose calls cannot be interrupted between the two.
    public func upsert(_ samples: [HealthSample], syncedTo position: Int64, from device: DeviceID, at time: Date) throws -> Int {
        let stored = try upsert(samples)
        try setSyncPosition(position, for: device, at: time, received: stored)
        return stored
    }

    /// Inserts samples (as `upsert(_:repeatsAfter:)`); returns how many were new or changed.
    @discardableResult
    public func upsert(_ samples: [HealthSample]) throws -> Int {
        let counts = try upsert(samples, repeatsAfter: .max)
        return counts.inserted + counts.updated
    }
}
