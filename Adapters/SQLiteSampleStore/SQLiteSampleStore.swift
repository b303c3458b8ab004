import Foundation
import GRDB
import HealthSyncDomain
import HealthSyncPorts
import Synchronization

/// The `SampleStore` port as `samples.sqlite` (WAL) through GRDB, indexed by
/// type and start date; pages are read by keyset on (start, id), so each page
/// costs the same however deep it is.
public final class SQLiteSampleStore: SampleStore {
    private let directory: String
    private let databasePath: String
    private let files: any FileSystem
    private let pool = Mutex<DatabasePool?>(nil)
    /// Rows per INSERT statement batch inside one transaction.
    private static let batchSize = 500

    public init(directory: String, fileSystem: any FileSystem) {
        self.directory = directory
        self.databasePath = directory + "/samples.sqlite"
        self.files = fileSystem
    }

    public func upsert(_ samples: [HealthSample]) throws {
        guard !samples.isEmpty else { return }
        let database = try open()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try run {
            try database.write { db in
                let statement = try db.makeStatement(sql: """
                    INSERT OR REPLACE INTO samples (id, type, value, unit, start_ms, end_ms, source_name, metadata)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for sample in samples {
                    let metadata = String(decoding: try encoder.encode(sample.metadata), as: UTF8.self)
                    try statement.execute(arguments: [
                        sample.id, sample.type.rawValue, sample.value, sample.unit,
                        sample.startDate.millisecondsSince1970, sample.endDate.millisecondsSince1970,
                        sample.sourceName, metadata,
                    ])
                }
            }
        }
    }

    public func query(_ query: SampleQuery) throws -> SamplePage {
        let database = try open()
        var conditions = ["type IN (\(Array(repeating: "?", count: query.types.count).joined(separator: ",")))"]
        var arguments: [any DatabaseValueConvertible] = query.types.map(\.rawValue)
        if let since = query.since {
            conditions.append("start_ms >= ?")
            arguments.append(since.millisecondsSince1970)
        }
        if let until = query.until {
            conditions.append("start_ms < ?")
            arguments.append(until.millisecondsSince1970)
        }
        if let cursor = query.cursor {
            conditions.append("(start_ms > ? OR (start_ms = ? AND id > ?))")
            arguments += [cursor.startMillis, cursor.startMillis, cursor.id]
        }
        arguments.append(query.limit + 1)
        let sql = "SELECT id, type, value, unit, start_ms, end_ms, source_name, metadata FROM samples WHERE \(conditions.joined(separator: " AND ")) ORDER BY start_ms, id LIMIT ?"
        let decoder = JSONDecoder()
        let unreadable = HealthSyncError(.storageFailure, "The sample store \(databasePath) has an unreadable row")
        // Columns by position (in the SELECT's order): by name costs a lookup per value.
        let (samples, more) = try run {
            try database.read { db -> ([HealthSample], Bool) in
                var samples: [HealthSample] = []
                samples.reserveCapacity(query.limit)
                var more = false
                let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
                while let row = try rows.next() {
                    guard samples.count < query.limit else {
                        more = true
                        break
                    }
                    guard let id = row[0] as String?, let typeName = row[1] as String?,
                          let type = HealthDataType(rawValue: typeName), let value = row[2] as Double?,
                          let unit = row[3] as String?, let start = row[4] as Int64?, let end = row[5] as Int64?,
                          let source = row[6] as String?, let metadataText = row[7] as String? else { throw unreadable }
                    var metadata: [String: String] = [:]
                    if metadataText != "{}" {
                        guard let decoded = try? decoder.decode([String: String].self, from: Data(metadataText.utf8)) else {
                            throw unreadable
                        }
                        metadata = decoded
                    }
                    samples.append(HealthSample(id: id, type: type, value: value, unit: unit,
                                                startDate: Date(millisecondsSince1970: start),
                                                endDate: Date(millisecondsSince1970: end), sourceName: source,
                                                metadata: metadata))
                }
                return (samples, more)
            }
        }
        return SamplePage(samples: samples, nextCursor: more ? samples.last.map(SampleCursor.init(after:)) : nil)
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
        try run { try database.write { try $0.execute(sql: "DELETE FROM samples") } }
    }

    private func open() throws -> DatabasePool {
        try pool.withLock { pool in
            if let pool { return pool }
            try files.createDirectory(directory, mode: 0o700)
            // Created private before SQLite opens it, so it is never exposed;
            // SQLite gives its -wal and -shm files the same mode.
            try files.createFile(databasePath, mode: 0o600)
            // Two processes opening a new database must not migrate it at once.
            let opened = try files.withLock(databasePath + ".lock", exclusive: true) {
                try run { () throws -> DatabasePool in
                    var configuration = Configuration()
                    configuration.busyMode = .timeout(10)
                    let database = try DatabasePool(path: databasePath, configuration: configuration)
                    var migrator = DatabaseMigrator()
                    migrator.registerMigration("v1") { db in
                        try db.execute(sql: """
                            CREATE TABLE samples (
                                id TEXT PRIMARY KEY, type TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL,
                                start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, source_name TEXT NOT NULL,
                                metadata TEXT NOT NULL);
                            CREATE INDEX samples_by_type_start ON samples (type, start_ms, id);
                            CREATE INDEX samples_by_start ON samples (start_ms, id);
                            """)
                    }
                    try migrator.migrate(database)
                    return database
                }
            }
            pool = opened
            return opened
        }
    }

    private func run<T>(_ body: () throws -> T) throws -> T {
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
