import Foundation
import GRDB
import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// `upsertBatches`: a bulk write (an import) on a thread of its own, in few transactions.
extension SQLiteSampleStore {
    /// Samples per transaction of `upsertBatches`: the WAL grows by about one
    /// transaction's pages, and a commit per 5000-sample batch rewrote most of
    /// the ID index's pages each time (its keys are random).
    static let samplesPerTransaction = 200_000

    public func upsertBatches(repeatsAfter: Int64,
                              _ produce: (_ store: ([HealthSample]) throws -> Void) throws -> Void) throws -> UpsertCounts {
        let writing = try BulkWriting(self, repeatsAfter: repeatsAfter, cacheKiB: Self.bulkCacheKiB)
        do {
            try produce { try writing.handOff.put($0) }
        } catch {
            writing.abandon()
            throw error
        }
        return try writing.finish()
    }

    public func upsertStream(repeatsAfter: Int64,
                             _ produce: (_ store: ([HealthSample]) throws -> Void) async throws -> Void) async throws -> UpsertCounts {
        // The writer's usual cache: a sync's pages arrive no faster than it writes them, and
        // with the import's 2 MB its transaction spilled to the WAL (100 000 samples: 770 -> 630 ms).
        let writing = try BulkWriting(self, repeatsAfter: repeatsAfter, cacheKiB: Self.writerCacheKiB)
        do {
            try await produce { try writing.handOff.put($0) }
        } catch {
            writing.abandon()
            throw error
        }
        return try writing.finish()
    }

    /// The writer thread of `upsertBatches` and `upsertStream`: SQLite writes
    /// there while the caller reads, maps or fetches the next batch.
    private final class BulkWriting: Sendable {
        let handOff = BatchHandOff(capacity: 2)
        private let outcome = Mutex<Result<UpsertCounts, HealthSyncError>>(.success(UpsertCounts()))
        private let done = DispatchSemaphore(value: 0)

        init(_ store: SQLiteSampleStore, repeatsAfter: Int64, cacheKiB: Int) throws {
            let database = try store.open()
            let writer = Thread { [self] in
                defer { done.signal() }
                do {
                    let counts = try store.run {
                        try database.writeWithoutTransaction { db in
                            try SQLiteSampleStore.write(handOff, into: db, repeatsAfter: repeatsAfter, cacheKiB: cacheKiB)
                        }
                    }
                    outcome.withLock { $0 = .success(counts) }
                } catch {
                    let failure = error as? HealthSyncError
                        ?? HealthSyncError(.storageFailure, "The sample store failed", cause: "\(error)")
                    handOff.fail(failure)
                    outcome.withLock { $0 = .failure(failure) }
                }
            }
            writer.start()
        }

        /// No more batches: waits for the writer to commit; its counts, or why it failed.
        func finish() throws -> UpsertCounts {
            handOff.finish(abandoned: false)
            done.wait()
            return try outcome.withLock { $0 }.get()
        }

        /// The caller failed: the writer rolls back what is not committed; waits for it.
        func abandon() {
            handOff.finish(abandoned: true)
            done.wait()
        }
    }

    /// The secondary indexes as the migrations made them, for `write(_:into:repeatsAfter:)` to build again.
    static let secondaryIndexes = [
        "CREATE INDEX samples_by_type_start ON samples (type, start_ms, id)",
        "CREATE INDEX samples_by_start ON samples (start_ms, id)",
        "CREATE INDEX samples_by_seq ON samples (seq)",
    ]

    /// The writing side of `upsertBatches`: batches from `handOff` in
    /// transactions of `samplesPerTransaction`. Into an empty store (a first
    /// import) it is one transaction, and the secondary indexes are dropped
    /// at its start and built at its end: one sort instead of a B-tree insert
    /// per row and index, and a failure leaves the store as it was.
    private static func write(_ handOff: BatchHandOff, into db: Database, repeatsAfter: Int64,
                              cacheKiB: Int) throws -> UpsertCounts {
        try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
        defer { try? db.execute(sql: "PRAGMA cache_size = -\(writerCacheKiB)") }
        var counts = UpsertCounts()
        var writer: SampleRowWriter?
        var rows = 0
        var rebuild = false, began = false
        do {
            while let batch = handOff.take() {
                let current: SampleRowWriter
                if let writer {
                    current = writer
                } else {
                    try db.beginTransaction(.immediate)
                    if !began, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT 1 FROM samples LIMIT 1)") == 0 {
                        rebuild = true
                        for name in ["samples_by_type_start", "samples_by_start", "samples_by_seq"] {
                            try db.execute(sql: "DROP INDEX IF EXISTS \(name)")
                        }
                    }
                    began = true
                    // Read again in each transaction: another process may have written between two.
                    current = try SampleRowWriter(db, repeatsAfter: repeatsAfter)
                    writer = current
                }
                for sample in batch { try current.write(sample) }
                rows += batch.count
                if rows >= samplesPerTransaction, !rebuild {
                    try db.commit()
                    counts += current.counts
                    writer = nil
                    rows = 0
                }
            }
            guard let writer else { return counts }
            if handOff.isAbandoned {
                try db.rollback()
                return counts
            }
            if rebuild {
                for index in secondaryIndexes { try db.execute(sql: index) }
            }
            try db.commit()
            counts += writer.counts
            return counts
        } catch {
            if writer != nil { try? db.rollback() }
            throw error
        }
    }
}
