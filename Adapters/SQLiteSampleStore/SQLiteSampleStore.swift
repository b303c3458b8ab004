import Foundation
import GRDB
import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// The `SampleStore` port as `samples.sqlite` (WAL) through GRDB, indexed by
/// type and start date; pages are read by keyset on (start, id), so each page
/// costs the same however deep it is.
public final class SQLiteSampleStore: SampleStore {
    /// How a process reads the store.
    public enum Access: Sendable {
        /// A pool: readers beside the writer, for a daemon serving several peers at once.
        case concurrent
        /// One connection, for a command that runs one request: opening a pool
        /// costs a second connection, and GRDB commits a dummy table to make its
        /// -wal file exist (four fsyncs), which `status` paid on every run.
        case serial
    }

    let directory: String
    let access: Access
    let databasePath: String
    let files: any FileSystem
    let pool = Mutex<(any DatabaseWriter)?>(nil)
    private let cacheRelease = ReaderCacheRelease()

    /// The writer connection's page cache, in KiB (readers keep SQLite's 2 MB:
    /// with 512 KB a fetch of 100 000 took ~9 % longer, its table lookups missing).
    static let writerCacheKiB = 8 * 1024
    /// The page cache while `upsertBatches` writes: an import's peak RSS
    /// stays under 50 MB with it, and a larger one did not make it faster.
    static let bulkCacheKiB = 2000

    public init(directory: String, fileSystem: any FileSystem, access: Access = .concurrent) {
        self.directory = directory
        self.access = access
        self.databasePath = directory + "/samples.sqlite"
        self.files = fileSystem
    }

    public func upsert(_ samples: [HealthSample], repeatsAfter: Int64) throws -> UpsertCounts {
        guard !samples.isEmpty else { return UpsertCounts() }
        let database = try open()
        return try run {
            try database.write { db -> UpsertCounts in
                let writer = try SampleRowWriter(db, repeatsAfter: repeatsAfter)
                for sample in samples { try writer.write(sample) }
                return writer.counts
            }
        }
    }

    public func latestSequence() throws -> Int64 {
        let database = try open()
        return try run { try database.read { try Int64.fetchOne($0, sql: "SELECT COALESCE(MAX(seq), 0) FROM samples") ?? 0 } }
    }

    public func countByType(since: Date?, until: Date?) throws -> [HealthDataType: Int] {
        let database = try open()
        var conditions: [String] = [], arguments: [any DatabaseValueConvertible] = []
        if let since { conditions.append("start_ms >= ?"); arguments.append(since.millisecondsSince1970) }
        if let until { conditions.append("start_ms < ?"); arguments.append(until.millisecondsSince1970) }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try run {
            try database.read { db in
                var counts: [HealthDataType: Int] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT type, COUNT(*) FROM samples \(filter) GROUP BY type",
                                               arguments: StatementArguments(arguments))
                while let row = try rows.next() {
                    guard let name = row[0] as String?, let type = HealthDataType(rawValue: name) else { continue }
                    counts[type] = row[1]
                }
                return counts
            }
        }
    }

    /// `type IN (?, …)` for `count` types. For a few, the (type, start_ms, id)
    /// index finds their rows; for more, SQLite would still take it and then
    /// sort every remaining row of those types for each page (a temporary
    /// B-tree per page: quadratic in pages). `+type` keeps a query on the
    /// index of its ORDER BY ((start_ms, id) or seq), read in order and
    /// stopped at the page's end.
    static func typeCondition(count: Int) -> String {
        "\(count > 3 ? "+" : "")type IN (\(Array(repeating: "?", count: count).joined(separator: ",")))"
    }

    public func query(_ query: SampleQuery) throws -> SamplePage {
        let database = try open()
        cacheRelease.read(database)
        var conditions = [Self.typeCondition(count: query.types.count)]
        var arguments: [any DatabaseValueConvertible] = query.types.map(\.rawValue)
        if let since = query.since {
            conditions.append("start_ms >= ?")
            arguments.append(since.millisecondsSince1970)
        }
        if let until = query.until {
            conditions.append("start_ms < ?")
            arguments.append(until.millisecondsSince1970)
        }
        let (comparison, order) = query.newestFirst ? ("<", "start_ms DESC, id DESC") : (">", "start_ms, id")
        if let cursor = query.cursor {
            conditions.append("(start_ms \(comparison) ? OR (start_ms = ? AND id \(comparison) ?))")
            arguments += [cursor.startMillis, cursor.startMillis, cursor.id]
        }
        arguments.append(query.limit + 1)
        let sql = "SELECT \(Self.columns) FROM samples WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?"
        let unreadable = HealthSyncError(.storageFailure, "The sample store \(databasePath) has an unreadable row")
        let (samples, more) = try run {
            try database.read { db -> ([HealthSample], Bool) in
                var samples: [HealthSample] = []
                samples.reserveCapacity(query.limit)
                var more = false
                try SampleRowReader.rows(of: try db.makeStatement(sql: sql), arguments: StatementArguments(arguments)) { row in
                    guard samples.count < query.limit else {
                        more = true
                        return false
                    }
                    guard let sample = SampleRowReader.sample(row) else { throw unreadable }
                    samples.append(sample)
                    return true
                }
                return (samples, more)
            }
        }
        return SamplePage(samples: samples, nextCursor: more ? samples.last.map(SampleCursor.init(after:)) : nil)
    }

    /// The columns `sample(_:decoder:)` reads, in its order.
    private static let columns = SampleRowWriter.columns

    public func changes(after: Int64, types: [HealthDataType]?, limit: Int) throws -> SampleChanges {
        guard (1...SampleChanges.maxLimit).contains(limit) else {
            throw HealthSyncError(.invalidArgument, "limit must be between 1 and \(SampleChanges.maxLimit)")
        }
        if types?.isEmpty == true { return SampleChanges(samples: [], last: after, more: false) }
        let database = try open()
        cacheRelease.read(database)
        let filter = types.map { "AND " + Self.typeCondition(count: $0.count) } ?? ""
        let sql = "SELECT \(Self.columns), seq FROM samples WHERE seq > ? \(filter) ORDER BY seq LIMIT ?"
        let arguments: [any DatabaseValueConvertible] = [after] + (types ?? []).map(\.rawValue) + [limit + 1]
        let unreadable = HealthSyncError(.storageFailure, "The sample store \(databasePath) has an unreadable row")
        return try run {
            try database.read { db in
                var samples: [HealthSample] = []
                var last = after
                var more = false
                try SampleRowReader.rows(of: try db.makeStatement(sql: sql), arguments: StatementArguments(arguments)) { row in
                    guard samples.count < limit else {
                        more = true
                        return false
                    }
                    guard let sample = SampleRowReader.sample(row), let sequence = SampleRowReader.integer(row, 14) else {
                        throw unreadable
                    }
                    samples.append(sample)
                    last = sequence
                    return true
                }
                return SampleChanges(samples: samples, last: last, more: more)
            }
        }
    }

    public func syncRecord(for device: DeviceID) throws -> SyncRecord {
        let database = try open()
        return try run {
            try database.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT seq, last_sync_ms, received FROM sync_state WHERE device_id = ?",
                                                 arguments: [device.hex]) else { return SyncRecord() }
                return SyncRecord(position: row[0], lastSync: (row[1] as Int64?).map(Date.init(millisecondsSince1970:)),
                                  received: row[2])
            }
        }
    }

    public func setSyncPosition(_ position: Int64, for device: DeviceID, at time: Date, received: Int) throws {
        let database = try open()
        try run { try database.write { try Self.record(position, for: device, at: time, received: received, in: $0) } }
    }

    public func upsert(_ samples: [HealthSample], syncedTo position: Int64, from device: DeviceID, at time: Date) throws -> Int {
        let database = try open()
        return try run {
            // One transaction (one commit, one WAL sync) for the page and the position after it.
            try database.write { db in
                let writer = try SampleRowWriter(db, repeatsAfter: .max)
                for sample in samples { try writer.write(sample) }
                let stored = writer.counts.inserted + writer.counts.updated
                try Self.record(position, for: device, at: time, received: stored, in: db)
                return stored
            }
        }
    }

    private static func record(_ position: Int64, for device: DeviceID, at time: Date, received: Int, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO sync_state (device_id, seq, last_sync_ms, received) VALUES (?, ?, ?, ?)
            ON CONFLICT(device_id) DO UPDATE SET seq = excluded.seq, last_sync_ms = excluded.last_sync_ms,
                received = received + excluded.received
            """, arguments: [device.hex, position, time.millisecondsSince1970, received])
    }

    public func count(types: [HealthDataType]?) throws -> Int {
        let database = try open()
        return try run {
            try database.read { db in
                if let types {
                    let marks = Array(repeating: "?", count: types.count).joined(separator: ",")
                    return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM samples WHERE type IN (\(marks))",
                                            arguments: StatementArguments(types.map(\.rawValue))) ?? 0
                }
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM samples") ?? 0
            }
        }
    }

    public func removeAll() throws {
        let database = try open()
        try run { try database.write { try $0.execute(sql: "DELETE FROM samples; DELETE FROM sync_state") } }
    }

    /// `body`, its errors as `STORAGE_FAILURE` naming the store.
    func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HealthSyncError {
            throw error
        } catch let error as DatabaseError {
            throw HealthSyncError(.storageFailure,
                                  "The sample store \(databasePath) failed: \(error.message ?? "\(error.resultCode)")")
        } catch {
            throw HealthSyncError(.storageFailure, "The sample store \(databasePath) failed", cause: "\(error)")
        }
    }
}
